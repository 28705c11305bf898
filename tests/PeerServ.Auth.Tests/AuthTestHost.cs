using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;

namespace PeerServ.Auth.Tests;

/// <summary>An in-process server with the auth middleware in front of a few probe endpoints.</summary>
internal sealed class AuthTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AuthTestHost(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public Uri BaseAddress { get; } = new("http://relay.test");

    public TestServer Server => _app.GetTestServer();

    public IServiceProvider Services => _app.Services;

    /// <summary>A test-only request header that sets the connection's remote address (a TestServer connection has none).</summary>
    public const string SocketAddressHeader = "x-test-socket-address";

    public static async Task<AuthTestHost> StartAsync(PrivateKey serverKey, Action<PeerServAuthOptions>? configure = null, FakeTimeProvider? time = null, IDictionary<string, string>? settings = null)
    {
        time ??= new FakeTimeProvider(DateTimeOffset.UtcNow);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration["Auth:ServerPrivateKey"] = serverKey.ToHex();
        builder.Configuration["RateLimits:HandshakesPerMinute"] = "100000";
        builder.Configuration["RateLimits:UnverifiedPerMinute"] = "1000000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddPeerServAuth(o =>
        {
            o.MaxRequestBodyBytes = 64 * 1024;
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(SocketAddressHeader, out var address))
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address.ToString());
                context.Request.Headers.Remove(SocketAddressHeader);
            }

            return next(context);
        });
        app.UsePeerServAuth();
        app.MapPeerServAuthHandshakes();
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var identity = context.GetPeerIdentity()!;
            return Results.Json(new { status = "success", identity = identity.IdentityKey.Hex, protocol = identity.Protocol.ToString(), body });
        });
        app.MapGet("/ping", (HttpContext context) =>
        {
            context.Response.Headers["x-bsv-custom"] = "abc";
            return Results.Json(new { status = "success", query = context.Request.QueryString.Value });
        });
        app.MapPost("/empty", () => Results.NoContent());
        app.MapPost("/boom", IResult () => throw new InvalidOperationException("handler failure"));
        app.MapGet("/health/live", () => Results.Text("ok"));
        await app.StartAsync();
        return new AuthTestHost(app, time);
    }

    public HttpClient Brc104Client(PrivateKey key, HttpMessageHandler? inner = null) =>
        new(new Client.Brc104ClientHandler(key, inner ?? Server.CreateHandler())) { BaseAddress = BaseAddress };

    public HttpClient AuthriteClient(PrivateKey key, HttpMessageHandler? inner = null, string version = "0.2") =>
        new(new Client.AuthriteClientHandler(key, inner ?? Server.CreateHandler(), version)) { BaseAddress = BaseAddress };

    /// <summary>Requests through <paramref name="inner"/> (default: the test server) as if from <paramref name="socketAddress"/>, optionally behind a proxy's X-Forwarded-For.</summary>
    public HttpMessageHandler From(string socketAddress, string? forwardedFor = null, HttpMessageHandler? inner = null) =>
        new AddressHandler(socketAddress, forwardedFor, inner ?? Server.CreateHandler());

    public HttpClient RawClient() => new(Server.CreateHandler()) { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}

internal sealed class AddressHandler(string socketAddress, string? forwardedFor, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A client handler may send one request twice (a retry after a new handshake): set, never append.
        request.Headers.Remove(AuthTestHost.SocketAddressHeader);
        request.Headers.Remove("X-Forwarded-For");
        request.Headers.TryAddWithoutValidation(AuthTestHost.SocketAddressHeader, socketAddress);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
