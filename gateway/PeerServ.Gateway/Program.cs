using PeerServ.Auth.Server;
using PeerServ.Gateway;
using PeerServ.ServiceDefaults;
using PeerServ.ServiceDefaults.OpenApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UsePeerServAuth();
app.UseRelayExceptionHandler();
app.MapPeerServAuthHandshakes();
app.MapReverseProxy(proxy => proxy.UseSessionAffinity().UseLiveAffinity().UseLoadBalancing().UsePassiveHealthChecks().UseRetryable503());
app.MapRelayApiDocs();
app.MapDefaultEndpoints();
app.Run();
