using PeerServ.Live;
using PeerServ.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(configurationDefaults: LiveExtensions.ConfigurationDefaults);
builder.AddLiveService();

var app = builder.Build();
app.UseLiveTransport();
app.MapLive();
app.MapDefaultEndpoints();
app.Run();
