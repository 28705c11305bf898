namespace PeerServ.EndToEnd.Tests;

[CollectionDefinition(Name)]
public sealed class DistributedStackCollection : ICollectionFixture<DistributedStack>
{
    public const string Name = "distributed stack";
}
