using PeerServ.MailboxQuery;
using PeerServ.MailboxQuery.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMailboxQueryService();

var app = builder.Build();
app.UseExceptionHandler();
app.UseGatewayIdentity();
app.MapListMessagesApi();
app.MapDefaultEndpoints();
app.Run();
