using PeerServ.Auth.Server;
using PeerServ.Gateway;
using PeerServ.Gateway.OpenApi;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UsePeerServAuth();
app.MapPeerServAuthHandshakes();
app.MapReverseProxy(proxy => proxy.UseSessionAffinity().UseLoadBalancing().UsePassiveHealthChecks().UseUnavailableAsRetryable());
app.MapPublicApiDocs();
app.MapDefaultEndpoints();
app.Run();
