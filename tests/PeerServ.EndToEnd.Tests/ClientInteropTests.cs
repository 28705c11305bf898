using PeerServ.Auth.Crypto;
using PeerServ.Client;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// PeerServ.Client and the real @bsv/message-box-client 2.1.1 (tests/interop/messagebox.mjs) exchanging encrypted
/// messages both ways, over HTTP and live delivery, with the same message ids.
/// </summary>
public abstract class ClientInteropContract
{
    private static readonly string[] Bodies = ["héllo from the other side 🌍", "quotes \" and \\ backslashes, tabs\tand\nnewlines", "{\"looks\":\"like json\"}x", "𝄞 astral"];

    protected abstract Uri Relay { get; }

    [Fact]
    public async Task MessageBoxClientSendsEncrypted_PeerServClientListsThePlaintext()
    {
        var alice = PrivateKey.Generate();
        using var bob = PeerServClient.Create(Relay, PrivateKey.Generate());
        var box = Box();

        var sent = await NodeClient.RunAsync("messagebox.mjs", "send", Base, alice.ToHex(), bob.Identity.Hex, box, Bodies[0]);
        var page = await bob.ListAsync(box);

        var message = Assert.Single(page.Messages);
        Assert.Equal((Bodies[0], true, alice.PublicKey.Hex, sent.GetProperty("messageId").GetString()), (message.Body, message.WasEncrypted, message.Sender, message.MessageId));
        Assert.Contains("encryptedMessage", message.RawBody, StringComparison.Ordinal);
        Assert.DoesNotContain("héllo", message.RawBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerServClientSendsEncrypted_MessageBoxClientListsThePlaintext_SameIds()
    {
        var aliceKey = PrivateKey.Generate();
        using var alice = PeerServClient.Create(Relay, aliceKey);
        var bob = PrivateKey.Generate();
        var box = Box();
        var ids = new List<string>();
        foreach (var body in Bodies)
        {
            ids.Add((await alice.SendAsync(bob.PublicKey.Hex, box, body)).MessageId);
        }

        var listed = (await NodeClient.RunAsync("messagebox.mjs", "list", Base, bob.ToHex(), box)).GetProperty("messages").EnumerateArray().ToList();
        var expectedIds = new List<string>();
        foreach (var body in Bodies)
        {
            expectedIds.Add((await NodeClient.RunAsync("messagebox.mjs", "id", aliceKey.ToHex(), bob.PublicKey.Hex, body)).GetProperty("messageId").GetString()!);
        }

        Assert.Equal(expectedIds, ids);
        Assert.Equal(Bodies.Order(StringComparer.Ordinal), listed.Select(m => m.GetProperty("body").ToString()).Order(StringComparer.Ordinal));
        Assert.All(listed, m => Assert.Equal(alice.Identity.Hex, m.GetProperty("sender").GetString()));
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(m => m.GetProperty("messageId").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PeerServClientSendsPlain_MessageBoxClientListsItAsItIs()
    {
        using var alice = PeerServClient.Create(Relay, PrivateKey.Generate());
        var bob = PrivateKey.Generate();
        var box = Box();

        await alice.SendAsync(bob.PublicKey.Hex, box, "not encrypted", encrypt: false);
        var listed = (await NodeClient.RunAsync("messagebox.mjs", "list", Base, bob.ToHex(), box)).GetProperty("messages");

        Assert.Equal("not encrypted", Assert.Single(listed.EnumerateArray()).GetProperty("body").GetString());
    }

    [Fact]
    public async Task LiveDelivery_MessageBoxClientSendsOverHttpAndSocket_PeerServClientReceivesThePlaintext()
    {
        var alice = PrivateKey.Generate();
        using var bob = PeerServClient.Create(Relay, PrivateKey.Generate());
        var box = Box();
        await using var live = await bob.ListenAsync();
        Assert.True(await live.Connection.JoinAsync(box));

        await NodeClient.RunAsync("messagebox.mjs", "send", Base, alice.ToHex(), bob.Identity.Hex, box, "live over http 🌍");
        await NodeClient.RunAsync("messagebox.mjs", "live-send", Base, alice.ToHex(), bob.Identity.Hex, box, "live over the socket");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<RelayMessage>();
        await foreach (var message in live.ReadAllAsync(timeout.Token))
        {
            received.Add(message);
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["live over http 🌍", "live over the socket"], received.Select(m => m.Body).Order(StringComparer.Ordinal));
        Assert.All(received, m => Assert.True(m.WasEncrypted && m.Sender == alice.PublicKey.Hex && m.MessageBox == box));
    }

    [Fact]
    public async Task LiveSend_FromPeerServClient_MessageBoxClientListsThePlaintext()
    {
        using var alice = PeerServClient.Create(Relay, PrivateKey.Generate());
        var bob = PrivateKey.Generate();
        var box = Box();
        await using var live = await alice.ListenAsync();

        var id = await live.SendAsync(bob.PublicKey.Hex, box, "sent over our socket");
        var listed = (await NodeClient.RunAsync("messagebox.mjs", "list", Base, bob.ToHex(), box)).GetProperty("messages");

        var message = Assert.Single(listed.EnumerateArray());
        Assert.Equal(("sent over our socket", id), (message.GetProperty("body").GetString(), message.GetProperty("messageId").GetString()));
    }

    private string Base => Relay.ToString().TrimEnd('/');

    private static string Box() => "client_" + Guid.NewGuid().ToString("N")[..10];
}

/// <summary>The client interop against the standalone host, as a real process.</summary>
public sealed class StandaloneClientInteropTests(StandaloneInteropTests.Host host) : ClientInteropContract, IClassFixture<StandaloneInteropTests.Host>
{
    protected override Uri Relay => host.Url;
}

/// <summary>The client interop through the gateway of the distributed stack (live delivery on its live replicas).</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class DistributedClientInteropTests(DistributedStack stack) : ClientInteropContract
{
    protected override Uri Relay => stack.Gateway.Url;
}
