using System.Net;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>
/// A captured send replayed where the replay memory does not know it — after a restart here, on another gateway
/// replica in the distributed stack — stores nothing twice: a server-assigned id derives from (sender, request nonce).
/// </summary>
public sealed class ReplayTests
{
    [Theory]
    [InlineData(ClientProtocol.Brc104)]
    [InlineData(ClientProtocol.Authrite)]
    public async Task CapturedSendWithoutId_ReplayedAfterARestart_AcceptedButStoredOnce(ClientProtocol protocol)
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("peerserv-replay-").FullName;
        var bob = PrivateKey.Generate();
        Captured captured;
        string firstId;
        using (var first = new RestartFactory(directory))
        {
            var recorder = new Recorder(first.Server.CreateHandler());
            using var alice = new RelayClient(PrivateKey.Generate(), first.Server.BaseAddress, recorder, protocol);
            var sent = await alice.SendAsync(bob.PublicKey.Hex, "inbox", "pay 10 to carol");
            Assert.Equal(HttpStatusCode.OK, sent.Status);
            firstId = sent.Json.Str("messageId");
            captured = recorder.Last;

            using var sameHost = await first.CreateClient().SendAsync(captured.ToRequest(), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, sameHost.StatusCode);
        }

        using var second = new RestartFactory(directory);
        using var replayed = await second.CreateClient().SendAsync(captured.ToRequest(), ct);
        var replayedJson = JsonDocument.Parse(await replayed.Content.ReadAsStringAsync(ct)).RootElement;
        using var bobClient = new RelayClient(bob, second.Server.BaseAddress, second.Server.CreateHandler(), protocol);
        var listed = await bobClient.ListAsync("inbox");

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(firstId, replayedJson.Str("messageId"));
        Assert.Equal(["pay 10 to carol"], listed.Select(m => m.Str("body")));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task TwoSendsOfTheSameBody_TwoMessages()
    {
        using var factory = new StandaloneFactory();
        using var alice = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());
        using var bob = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());

        var one = await alice.SendAsync(bob.Identity, "inbox", "same");
        var two = await alice.SendAsync(bob.Identity, "inbox", "same");

        Assert.NotEqual(one.Json.Str("messageId"), two.Json.Str("messageId"));
        Assert.Equal(2, (await bob.ListAsync("inbox")).Length);
    }

    private sealed class RestartFactory(string directory) : StandaloneFactory(directory);

    private sealed record Captured(HttpMethod Method, Uri Uri, List<KeyValuePair<string, string[]>> Headers, byte[] Body, string? ContentType)
    {
        public HttpRequestMessage ToRequest()
        {
            var request = new HttpRequestMessage(Method, Uri) { Content = new ByteArrayContent(Body) };
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            foreach (var (name, values) in Headers)
            {
                request.Headers.TryAddWithoutValidation(name, values);
            }

            return request;
        }
    }

    /// <summary>Keeps the last non-handshake request exactly as sent.</summary>
    private sealed class Recorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public Captured Last { get; private set; } = null!;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath is not ("/.well-known/auth" or "/authrite/initialRequest"))
            {
                var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
                Last = new Captured(request.Method, request.RequestUri, [.. request.Headers.Select(h => new KeyValuePair<string, string[]>(h.Key, [.. h.Value]))],
                    body, request.Content?.Headers.ContentType?.ToString());
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
