using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.E2E;

/// <summary>The relay contract through the compose stack's gateway, once per protocol.</summary>
public abstract class GatewayRelayTests : RelayContract
{
    protected override RelayClient NewClient(ClientProtocol? protocol = null) =>
        new(PrivateKey.Generate(), Target.Gateway, new SocketsHttpHandler(), protocol ?? Protocol);
}

public sealed class GatewayRelayBrc104Tests : GatewayRelayTests
{
    protected override ClientProtocol Protocol => ClientProtocol.Brc104;
}

public sealed class GatewayRelayAuthriteTests : GatewayRelayTests
{
    protected override ClientProtocol Protocol => ClientProtocol.Authrite;
}

/// <summary>The permissions contract through the compose stack's gateway.</summary>
public sealed class GatewayPermissionsTests : PermissionsContract
{
    protected override RelayClient NewClient() => new(PrivateKey.Generate(), Target.Gateway, new SocketsHttpHandler());
}

/// <summary>The real npm clients (tests/interop/suite.mjs) through the compose stack's gateway.</summary>
public sealed class GatewayInteropTests
{
    private static readonly InteropSuite Suite = new(() => Target.Gateway);

    public static TheoryData<string> Cases() => InteropSuite.CaseNames();

    [Theory]
    [MemberData(nameof(Cases))]
    public Task RealClients_ThroughComposeGateway(string @case) => Suite.AssertCaseAsync(@case);
}
