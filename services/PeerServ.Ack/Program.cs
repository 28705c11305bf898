using PeerServ.Auth.Gateway;
using PeerServ.Ack;
using PeerServ.Ack.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAckService();

var app = builder.Build();
app.UseRelayExceptionHandler();
app.UseGatewayAssertion();
app.MapAcknowledgeMessageApi();
app.MapDefaultEndpoints();
app.Run();
