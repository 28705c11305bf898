using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>The relay contract against the standalone host (SQLite, in-memory bus, auth in process), once per protocol.</summary>
public abstract class StandaloneRelayTests(StandaloneFactory factory) : RelayContract
{
    protected override RelayClient NewClient(ClientProtocol? protocol = null) =>
        new(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler(), protocol ?? Protocol);
}

public sealed class StandaloneRelayBrc104Tests(StandaloneFactory factory) : StandaloneRelayTests(factory), IClassFixture<StandaloneFactory>
{
    protected override ClientProtocol Protocol => ClientProtocol.Brc104;
}

public sealed class StandaloneRelayAuthriteTests(StandaloneFactory factory) : StandaloneRelayTests(factory), IClassFixture<StandaloneFactory>
{
    protected override ClientProtocol Protocol => ClientProtocol.Authrite;
}

/// <summary>The permissions contract against the standalone host (BRC-104; the auth layer is the same for both protocols).</summary>
public sealed class StandalonePermissionsTests(StandaloneFactory factory) : PermissionsContract, IClassFixture<StandaloneFactory>
{
    protected override RelayClient NewClient() => new(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());
}
