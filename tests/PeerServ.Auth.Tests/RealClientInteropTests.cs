using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;
using PeerServ.Tests.Relay;

namespace PeerServ.Auth.Tests;

/// <summary>
/// The real @bsv/sdk AuthFetch (BRC-104) and authrite-js (BRC-31) talking to the auth middleware on a loopback
/// Kestrel port, through a minimal in-memory mailbox that answers what the verified identity is allowed to see.
/// </summary>
public sealed class RealClientInteropTests : IAsyncLifetime
{
    private readonly PrivateKey _serverKey = PrivateKey.Generate();
    private WebApplication _app = null!;
    private string _url = "";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration["Auth:ServerPrivateKey"] = _serverKey.ToHex();
        builder.Configuration["RateLimits:HandshakesPerMinute"] = "100000";
        builder.Configuration["RateLimits:UnverifiedPerMinute"] = "1000000";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddPeerServAuth();
        _app = builder.Build();
        _app.UsePeerServAuth();
        _app.MapPeerServAuthHandshakes();
        var boxes = new ConcurrentDictionary<string, List<(string Id, string Sender, string Body)>>();
        _app.MapPost("/sendMessage", async (HttpContext context) =>
        {
            var message = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.GetProperty("message");
            var key = message.Str("recipient") + "/" + message.Str("messageBox");
            lock (boxes)
            {
                boxes.GetOrAdd(key, _ => []).Add((message.Str("messageId"), context.GetPeerIdentity()!.IdentityKey.Hex, message.Str("body")));
            }

            return Results.Json(new { status = "success" });
        });
        _app.MapPost("/listMessages", async (HttpContext context) =>
        {
            var box = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Str("messageBox");
            lock (boxes)
            {
                var messages = boxes.GetValueOrDefault(context.GetPeerIdentity()!.IdentityKey.Hex + "/" + box) ?? [];
                return Results.Json(new { status = "success", messages = messages.Select(m => new { messageId = m.Id, sender = m.Sender, body = m.Body }) });
            }
        });
        _app.MapPost("/acknowledgeMessage", async (HttpContext context) =>
        {
            var ids = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.GetProperty("messageIds").EnumerateArray().Select(e => e.GetString()).ToHashSet();
            var me = context.GetPeerIdentity()!.IdentityKey.Hex + "/";
            var removed = 0;
            lock (boxes)
            {
                foreach (var (key, list) in boxes)
                {
                    removed += key.StartsWith(me, StringComparison.Ordinal) ? list.RemoveAll(m => ids.Contains(m.Id)) : 0;
                }
            }

            return Results.Json(new { status = "success", acknowledged = removed });
        });
        await _app.StartAsync();
        _url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("brc104")]
    [InlineData("authrite")]
    public async Task RealClient_SendListAckRoundTrip_IdentityAndBodyPreserved(string protocol)
    {
        var result = await NodeClient.RunAsync("auth-roundtrip.mjs", _url, protocol);
        var identity = result.GetProperty("identityKey").GetString();

        Assert.Equal(200, result.GetProperty("sent").GetProperty("status").GetInt32());
        var listed = result.GetProperty("listed").GetProperty("json").GetProperty("messages").EnumerateArray().Single();
        Assert.Equal(result.GetProperty("body").GetString(), listed.GetProperty("body").GetString());
        Assert.Equal(identity, listed.GetProperty("sender").GetString());
        Assert.Equal($"id-{protocol}", listed.GetProperty("messageId").GetString());
        Assert.Equal(1, result.GetProperty("acked").GetProperty("json").GetProperty("acknowledged").GetInt32());
        Assert.Empty(result.GetProperty("after").GetProperty("json").GetProperty("messages").EnumerateArray());
    }
}
