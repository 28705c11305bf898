using PeerServ.Ack;
using PeerServ.Ack.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAckService();

var app = builder.Build();
app.UseExceptionHandler();
app.UseGatewayIdentity();
app.MapAcknowledgeMessageApi();
app.MapDefaultEndpoints();
app.Run();
