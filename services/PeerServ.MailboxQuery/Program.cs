using PeerServ.Auth.Gateway;
using PeerServ.MailboxQuery;
using PeerServ.MailboxQuery.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMailboxQueryService();

var app = builder.Build();
app.UseRelayExceptionHandler();
app.UseGatewayAssertion();
app.MapListMessagesApi();
app.MapDefaultEndpoints();
app.Run();
