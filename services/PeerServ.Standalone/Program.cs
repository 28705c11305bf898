using PeerServ.Ack.Apis;
using PeerServ.Auth.Server;
using PeerServ.Ingest.Apis;
using PeerServ.Live;
using PeerServ.MailboxQuery.Apis;
using PeerServ.Permissions.Apis;
using PeerServ.ServiceDefaults;
using PeerServ.ServiceDefaults.OpenApi;
using PeerServ.Standalone;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(StandaloneExtensions.Defaults, LiveExtensions.ConfigurationDefaults);
builder.AddStandalone();

var app = builder.Build();
app.UsePeerServAuth();
app.UseLiveWebSockets();
app.UseRelayExceptionHandler();
app.MapPeerServAuthHandshakes();
app.MapSendMessageApi();
app.MapListMessagesApi();
app.MapAcknowledgeMessageApi();
app.MapPermissionsApi();
app.MapDevicesApi();
app.MapLive();
app.MapRelayApiDocs();
app.MapDefaultEndpoints();
app.LogStartup();
app.Run();
