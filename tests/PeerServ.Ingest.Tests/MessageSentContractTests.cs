using System.Text.Json;
using MassTransit.Serialization;
using PeerServ.Contracts;

namespace PeerServ.Ingest.Tests;

/// <summary>
/// MessageSent as it travels (MassTransit's JSON): the snapshot is what consumers deployed today read. A change that
/// renames or drops a field fails here; an additive change updates the snapshot on purpose.
/// </summary>
public sealed class MessageSentContractTests
{
    private static readonly MessageSent Sample = new(
        "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5", "inbox", "m-1",
        "03f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9", new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), 42);

    [Fact]
    public void MessageSent_Serialized_MatchesTheSnapshot()
    {
        var json = JsonSerializer.Serialize(Sample, SystemTextJsonMessageSerializer.Options);

        Assert.Equal(Normalize(Snapshot), Normalize(json));
    }

    [Fact]
    public void MessageSent_Snapshot_DeserializesToTheSameMessage()
    {
        var read = JsonSerializer.Deserialize<MessageSent>(Snapshot, SystemTextJsonMessageSerializer.Options);

        Assert.Equal(Sample, read);
    }

    private static string Snapshot => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Snapshots", "MessageSent.json"));

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
