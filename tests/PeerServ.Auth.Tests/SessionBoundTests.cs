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
                Assert.Equal(NonceUse.Fresh, table.TryUseNonce(session, BitConverter.GetBytes(i)));
            }
        }

        Assert.InRange(table.Count, 1, 19);
    }

    [Fact]
    public void Session_AtItsNonceBound_RefusesEveryLaterRequestAndReleasesItsMemory()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new PeerServAuthOptions { ServerPrivateKey = PeerServ.Auth.Crypto.PrivateKey.Generate().ToHex(), MaxNoncesPerSession = 16 });
        var table = new Brc104SessionTable(new ServerIdentity(options), options, TimeProvider.System);
        var session = table.Find(table.Open(PeerServ.Auth.Crypto.PrivateKey.Generate().PublicKey, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))!;

        var uses = Enumerable.Range(0, 16).Select(i => table.TryUseNonce(session, BitConverter.GetBytes(i))).ToList();
        var seventeenth = table.TryUseNonce(session, BitConverter.GetBytes(16));
        var replayAfter = table.TryUseNonce(session, BitConverter.GetBytes(3));

        Assert.All(uses, u => Assert.Equal(NonceUse.Fresh, u));
        Assert.Equal(NonceUse.SessionExhausted, seventeenth);
        Assert.Equal(NonceUse.SessionExhausted, replayAfter);
        Assert.Equal(0, session.SeenCount);
    }
}
