using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>The relay contract through the gateway of the distributed stack, over real HTTP on loopback, once per protocol.</summary>
public abstract class DistributedRelayTests(DistributedStack stack) : RelayContract
{
    protected override RelayClient NewClient(ClientProtocol? protocol = null) =>
        new(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler(), protocol ?? Protocol);
}

[Collection(DistributedStackCollection.Name)]
public sealed class DistributedRelayBrc104Tests(DistributedStack stack) : DistributedRelayTests(stack)
{
    protected override ClientProtocol Protocol => ClientProtocol.Brc104;
}

[Collection(DistributedStackCollection.Name)]
public sealed class DistributedRelayAuthriteTests(DistributedStack stack) : DistributedRelayTests(stack)
{
    protected override ClientProtocol Protocol => ClientProtocol.Authrite;
}

/// <summary>The permissions contract through the gateway: the permissions service for the rules, ingest enforcing them.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class DistributedPermissionsTests(DistributedStack stack) : PermissionsContract
{
    protected override RelayClient NewClient() => new(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());
}
