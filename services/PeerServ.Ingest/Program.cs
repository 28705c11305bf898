using PeerServ.Auth.Gateway;
using PeerServ.Ingest;
using PeerServ.Ingest.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngestService();

var app = builder.Build();
app.UseRelayExceptionHandler();
app.UseGatewayAssertion();
app.MapSendMessageApi();
app.MapDefaultEndpoints();
app.Run();
