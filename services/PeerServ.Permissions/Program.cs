using PeerServ.Auth.Gateway;
using PeerServ.Permissions;
using PeerServ.Permissions.Apis;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPermissionsService();

var app = builder.Build();
app.UseRelayExceptionHandler();
app.UseGatewayAssertion();
app.MapPermissionsApi();
app.MapDevicesApi();
app.MapDefaultEndpoints();
app.Run();
