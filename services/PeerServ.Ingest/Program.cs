using PeerServ.Ingest;
using PeerServ.Ingest.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngestService();

var app = builder.Build();
app.UseExceptionHandler();
app.UseGatewayIdentity();
app.MapSendMessageApi();
app.MapDefaultEndpoints();
app.Run();
