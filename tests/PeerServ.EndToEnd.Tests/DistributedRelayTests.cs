using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>The relay contract through the gateway of the distributed stack, over real HTTP on loopback.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class DistributedRelayTests(DistributedStack stack) : RelayContract
{
    protected override RelayClient NewClient(bool authrite = false) =>
        new(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler(), authrite);
}
