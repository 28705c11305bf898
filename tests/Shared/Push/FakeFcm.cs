using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PeerServ.Tests.Push;

/// <summary>One call to messages:send as the fake saw it: the project in the path, the device token, the whole message, the answer.</summary>
public sealed record FcmCall(string Project, string Token, JsonElement Message, int Status);

/// <summary>
/// Google's two endpoints on loopback, the true boundary of push: the OAuth2 token endpoint (it checks the JWT the
/// service account signs: RS256 with the key it issued, the FCM scope, Google's token endpoint as audience) and FCM's HTTP v1
/// messages:send (it checks the bearer token it issued). Device tokens steer the answer: "unregistered…" → 404
/// UNREGISTERED, "invalid…" → 400 INVALID_ARGUMENT, "flaky…" → 503 on the first attempt, "down…" → always 503,
/// anything else → 200.
/// </summary>
public sealed class FakeFcm : IAsyncDisposable
{
    public const string ProjectId = "peerserv-push-test";
    private const string ClientEmail = "push@peerserv-push-test.iam.gserviceaccount.com";

    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentQueue<FcmCall> _calls = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _issued = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _tokenRequests;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every messages:send call, in arrival order.</summary>
    public IReadOnlyList<FcmCall> Calls => [.. _calls];

    /// <summary>The calls FCM accepted (200).</summary>
    public IReadOnlyList<FcmCall> Delivered => [.. _calls.Where(c => c.Status == 200)];

    public int TokenRequests => _tokenRequests;

    /// <summary>Every access token handed out (what a log must never show).</summary>
    public IReadOnlyCollection<string> IssuedAccessTokens => [.. _issued.Keys];

    /// <summary>The private key in PEM (what a log must never show).</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>A service-account key as the Firebase console issues one, with this fake as its token_uri.</summary>
    public string ServiceAccountJson => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = "fake-key-1",
        ["private_key"] = PrivateKeyPem,
        ["client_email"] = ClientEmail,
        ["client_id"] = "100000000000000000001",
        ["token_uri"] = new Uri(Url, "token").ToString(),
    });

    public static async Task<FakeFcm> StartAsync()
    {
        var fake = new FakeFcm();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/token", fake.TokenAsync);
        app.MapPost("/v1/projects/{project}/messages:send", fake.SendAsync);
        await app.StartAsync();
        fake._app = app;
        fake.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        return fake;
    }

    /// <summary>Waits until the calls satisfy <paramref name="condition"/>; false if they never do within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<FcmCall>, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition(Calls))
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _key.Dispose();
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await request.ReadFormAsync();
        var refusal = form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" ? "grant_type" : Refusal(form["assertion"].ToString());
        if (refusal is not null)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "bad assertion: " + refusal }, statusCode: 400);
        }

        var token = "fake-access-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _issued[token] = 0;
        return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = 3600 });
    }

    /// <summary>Why the JWT would be refused, or null: signed RS256 by the key this fake issued, from its account, for FCM, to Google's token audience.</summary>
    private string? Refusal(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return "not a JWT";
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!_key.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "signature";
        }

        using var claims = JsonDocument.Parse(Base64Url(parts[1]));
        var root = claims.RootElement;
        string? Claim(string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
        return Claim("iss") != ClientEmail ? "iss " + Claim("iss")
            : Claim("aud") != "https://oauth2.googleapis.com/token" ? "aud " + Claim("aud")
            : !(Claim("scope") ?? "").Split(' ').Contains("https://www.googleapis.com/auth/firebase.messaging") ? "scope " + Claim("scope")
            : null;
    }

    private async Task<IResult> SendAsync(string project, HttpRequest request)
    {
        var bearer = request.Headers.Authorization.ToString();
        if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !_issued.ContainsKey(bearer["Bearer ".Length..]))
        {
            return Error(401, "UNAUTHENTICATED", null);
        }

        using var body = await JsonDocument.ParseAsync(request.Body);
        var message = body.RootElement.GetProperty("message").Clone();
        var token = message.GetProperty("token").GetString() ?? "";
        var attempt = _attempts.AddOrUpdate(token, 1, (_, n) => n + 1);
        var status = token switch
        {
            _ when token.StartsWith("unregistered", StringComparison.Ordinal) => 404,
            _ when token.StartsWith("invalid", StringComparison.Ordinal) => 400,
            _ when token.StartsWith("flaky", StringComparison.Ordinal) && attempt == 1 => 503,
            _ when token.StartsWith("down", StringComparison.Ordinal) => 503,
            _ => 200,
        };
        _calls.Enqueue(new FcmCall(project, token, message, status));
        return status switch
        {
            200 => Results.Json(new { name = $"projects/{project}/messages/{_calls.Count}" }),
            404 => Error(404, "NOT_FOUND", "UNREGISTERED"),
            400 => Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
            _ => Error(503, "UNAVAILABLE", "UNAVAILABLE"),
        };
    }

    private static IResult Error(int code, string status, string? errorCode) => Results.Json(new
    {
        error = new
        {
            code,
            message = status,
            status,
            details = errorCode is null ? Array.Empty<object>() : [new Dictionary<string, string> { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = errorCode }],
        },
    }, statusCode: code);

    private static byte[] Base64Url(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
