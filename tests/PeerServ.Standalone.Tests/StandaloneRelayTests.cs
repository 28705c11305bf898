using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>The relay contract against the standalone host (SQLite, in-memory bus, auth in process).</summary>
public sealed class StandaloneRelayTests(StandaloneFactory factory) : RelayContract, IClassFixture<StandaloneFactory>
{
    protected override RelayClient NewClient(bool authrite = false) =>
        new(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler(), authrite);
}
