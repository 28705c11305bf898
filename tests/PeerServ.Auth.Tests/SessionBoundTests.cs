using PeerServ.Auth.Server;

namespace PeerServ.Auth.Tests;

public sealed class SessionBoundTests
{
    [Fact]
    public void SessionTable_FloodOfHandshakes_StaysWithinMaxSessions()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new PeerServAuthOptions { ServerPrivateKey = PeerServ.Auth.Crypto.PrivateKey.Generate().ToHex(), MaxSessions = 16 });
        var table = new Brc104SessionTable(new ServerIdentity(options), options, TimeProvider.System);

        for (var i = 0; i < 1000; i++)
        {
            table.Open(PeerServ.Auth.Crypto.PrivateKey.Generate().PublicKey, System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        }

        Assert.InRange(table.Count, 1, 16);
    }

    [Fact]
    public void SessionTable_ReplayEntriesOverTheBound_OldestSessionsForgotten()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new PeerServAuthOptions { ServerPrivateKey = PeerServ.Auth.Crypto.PrivateKey.Generate().ToHex(), MaxReplayEntries = 1024 });
        var table = new Brc104SessionTable(new ServerIdentity(options), options, TimeProvider.System);
        var nonces = new List<string>();
        for (var s = 0; s < 20; s++)
        {
            nonces.Add(table.Open(PeerServ.Auth.Crypto.PrivateKey.Generate().PublicKey, System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
            var session = table.Find(nonces[^1])!;
            for (var i = 0; i < 100; i++)
            {
                Assert.True(table.TryUseNonce(session, BitConverter.GetBytes(i)));
            }
        }

        Assert.InRange(table.Count, 1, 19);
    }
}
