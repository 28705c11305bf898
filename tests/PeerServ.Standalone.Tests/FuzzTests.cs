using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>
/// Thousands of random and mutated inputs against the auth headers and handshakes of both protocols and the
/// JSON bodies of the three endpoints: never a 5xx, always a JSON error for a refusal, bounded sessions.
/// Deterministic seeds, so a failure names the input that caused it.
/// </summary>
public sealed class FuzzTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private static readonly string[] Garbage =
    [
        "", " ", "0", "-1", "null", "[]", "{}", "\"", "%00", "\u0000", "é", "😀", "\uFFFF", new string('A', 5000), "AAAA====", "@@@@",
        "0.1", "0.2", "1.0", "02" + new string('0', 64), "04" + new string('f', 128), "3044" + new string('0', 136), "=", "../../", "<script>",
    ];

    [Fact]
    public async Task Brc104AuthHeaders_RandomlyMutated_NeverServerErrorAlwaysJson()
    {
        var random = new Random(104);
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using (var client = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, recorder))
        {
            await client.SendAsync(client.Identity, "fuzz", "seed", "seed-1");
        }

        var template = recorder.LastSigned ?? throw new InvalidOperationException("no signed request was recorded");
        using var raw = new HttpClient(factory.Server.CreateHandler()) { BaseAddress = factory.Server.BaseAddress };
        for (var i = 0; i < 1500; i++)
        {
            var headers = template.Headers.ToDictionary(h => h.Key, h => h.Value);
            var body = template.Body;
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var names = headers.Keys.Where(k => k.StartsWith("x-bsv-auth", StringComparison.Ordinal)).ToList();
                if (names.Count == 0)
                {
                    break;
                }

                var name = names[random.Next(names.Count)];
                headers[name] = random.Next(5) switch
                {
                    0 => Garbage[random.Next(Garbage.Length)],
                    1 => Flip(random, headers[name]),
                    2 => headers[name][..random.Next(headers[name].Length + 1)],
                    3 => headers[name] + Garbage[random.Next(Garbage.Length)],
                    _ => Convert.ToBase64String(Bytes(random, random.Next(0, 200))),
                };
                if (random.Next(4) == 0)
                {
                    headers.Remove(name);
                }

                if (random.Next(6) == 0)
                {
                    body = Flip(random, body);
                }
            }

            await AssertRefusedCleanly(raw, "/sendMessage", headers, body, $"case {i}");
        }

        Assert.InRange(factory.Services.GetRequiredService<Brc104SessionTable>().Count, 0, 100_000);
    }

    [Fact]
    public async Task AuthriteHeaders_RandomlyMutated_NeverServerErrorAlwaysJson()
    {
        var random = new Random(31);
        var recorder = new RecordingHandler(factory.Server.CreateHandler());
        using (var client = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, recorder, ClientProtocol.Authrite))
        {
            await client.SendAsync(client.Identity, "fuzz", "seed", "seed-31");
        }

        var template = recorder.LastSigned ?? throw new InvalidOperationException("no signed request was recorded");
        using var raw = new HttpClient(factory.Server.CreateHandler()) { BaseAddress = factory.Server.BaseAddress };
        for (var i = 0; i < 1500; i++)
        {
            var headers = template.Headers.ToDictionary(h => h.Key, h => h.Value);
            var names = headers.Keys.Where(k => k.StartsWith("x-authrite", StringComparison.Ordinal)).ToList();
            var name = names[random.Next(names.Count)];
            headers[name] = random.Next(4) switch
            {
                0 => Garbage[random.Next(Garbage.Length)],
                1 => Flip(random, headers[name]),
                2 => headers[name][..random.Next(headers[name].Length + 1)],
                _ => Convert.ToBase64String(Bytes(random, random.Next(0, 100))),
            };
            await AssertRefusedCleanly(raw, "/sendMessage", headers, template.Body, $"case {i}");
        }
    }

    [Theory]
    [InlineData("/.well-known/auth", """{"version":"0.1","messageType":"initialRequest","identityKey":"KEY","initialNonce":"NONCE48","requestedCertificates":{"certifiers":[],"types":{}}}""")]
    [InlineData("/authrite/initialRequest", """{"authrite":"0.2","messageType":"initialRequest","identityKey":"KEY","nonce":"NONCE32","requestedCertificates":[]}""")]
    public async Task Handshakes_RandomlyMutatedBodies_NeverServerError(string path, string template)
    {
        var random = new Random(path.Length);
        using var raw = new HttpClient(factory.Server.CreateHandler()) { BaseAddress = factory.Server.BaseAddress };
        for (var i = 0; i < 1000; i++)
        {
            var body = template.Replace("KEY", PrivateKey.Generate().PublicKey.Hex, StringComparison.Ordinal)
                .Replace("NONCE48", Convert.ToBase64String(Bytes(random, 48)), StringComparison.Ordinal)
                .Replace("NONCE32", Convert.ToBase64String(Bytes(random, 32)), StringComparison.Ordinal);
            body = random.Next(3) switch
            {
                0 => Flip(random, body),
                1 => body[..random.Next(body.Length)],
                _ => MutateJson(random, body),
            };
            using var response = await raw.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"case {i}: {(int)response.StatusCode} for {body}");
            using var json = ParseOrFail(text, $"case {i}: {body}");
            Assert.True(response.IsSuccessStatusCode || json.RootElement.GetProperty("status").GetString() == "error", $"case {i}: {text}");
        }
    }

    [Theory]
    [InlineData("/sendMessage", """{"message":{"recipient":"SELF","messageBox":"fuzz","messageId":"ID","body":"hello"}}""")]
    [InlineData("/listMessages", """{"messageBox":"fuzz","limit":10,"offset":0}""")]
    [InlineData("/acknowledgeMessage", """{"messageIds":["ID","other"]}""")]
    public async Task EndpointBodies_RandomlyMutated_SignedAnswerNeverServerError(string path, string template)
    {
        var random = new Random(path.GetHashCode(StringComparison.Ordinal));
        using var client = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());
        for (var i = 0; i < 700; i++)
        {
            var body = template.Replace("SELF", client.Identity, StringComparison.Ordinal).Replace("ID", $"id{i}", StringComparison.Ordinal);
            body = random.Next(4) switch
            {
                0 => Flip(random, body),
                1 => body[..random.Next(body.Length)],
                2 => Encoding.Latin1.GetString(Bytes(random, random.Next(1, 64))),
                _ => MutateJson(random, body),
            };

            var (status, json) = await client.PostAsync(path, body);

            Assert.True((int)status < 500, $"case {i}: {(int)status} {json} for {body}");
            Assert.True(status == HttpStatusCode.OK ? json.Str("status") == "success" : json.Str("status") == "error" && json.Code().StartsWith("ERR_", StringComparison.Ordinal),
                $"case {i}: {(int)status} {json} for {body}");
        }
    }

    private static async Task AssertRefusedCleanly(HttpClient raw, string path, Dictionary<string, string> headers, string body, string label)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await raw.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{label}: {(int)response.StatusCode} {text} for {string.Join("; ", headers.Select(h => $"{h.Key}={Shorten(h.Value)}"))}");
        using var json = ParseOrFail(text, label);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
    }

    private static JsonDocument ParseOrFail(string text, string label)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            Assert.Fail($"{label}: the answer is not JSON: {Shorten(text)}");
            throw;
        }
    }

    private static string MutateJson(Random random, string json)
    {
        var values = new[] { "null", "true", "1e309", "-0", "[]", "{}", "\"\"", "\"\\u0000\"", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "\"" + new string('x', 300) + "\"", "12345678901234567890", "0.5" };
        var colon = json.IndexOf(':', random.Next(json.Length));
        if (colon < 0)
        {
            return json + values[random.Next(values.Length)];
        }

        var end = json.IndexOfAny([',', '}'], colon + 1);
        return end < 0 ? json : json[..(colon + 1)] + values[random.Next(values.Length)] + json[end..];
    }

    private static string Flip(Random random, string value)
    {
        if (value.Length == 0)
        {
            return "x";
        }

        var chars = value.ToCharArray();
        var at = random.Next(chars.Length);
        chars[at] = (char)random.Next(0x20, 0x7f);
        return new string(chars);
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Shorten(string value) => value.Length > 80 ? value[..80] + "…" : value;

    /// <summary>Remembers the last signed request it forwarded, to replay it with mutations.</summary>
    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public (Dictionary<string, string> Headers, string Body)? LastSigned { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null && !request.RequestUri!.AbsolutePath.Contains("initialRequest", StringComparison.Ordinal) && request.RequestUri.AbsolutePath != "/.well-known/auth")
            {
                LastSigned = (request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value)), await request.Content.ReadAsStringAsync(cancellationToken));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
