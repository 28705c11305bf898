using System.Text.Json;
using MassTransit.Serialization;
using PeerServ.Contracts;

namespace PeerServ.Ack.Tests;

/// <summary>
/// MessagesAcknowledged as it travels (MassTransit's JSON): the snapshot is what consumers deployed today read. A
/// change that renames or drops a field fails here; an additive change updates the snapshot on purpose.
/// </summary>
public sealed class MessagesAcknowledgedContractTests
{
    private static readonly MessagesAcknowledged Sample = new(
        "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5", ["m-1", "m-2"], new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));

    private static string Snapshot => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Snapshots", "MessagesAcknowledged.json"));

    [Fact]
    public void MessagesAcknowledged_Serialized_MatchesTheSnapshot()
    {
        var json = JsonSerializer.Serialize(Sample, SystemTextJsonMessageSerializer.Options);

        Assert.Equal(Normalize(Snapshot), Normalize(json));
    }

    [Fact]
    public void MessagesAcknowledged_Snapshot_DeserializesToTheSameMessage()
    {
        var read = JsonSerializer.Deserialize<MessagesAcknowledged>(Snapshot, SystemTextJsonMessageSerializer.Options)!;

        Assert.Equal((Sample.Recipient, Sample.AcknowledgedAt), (read.Recipient, read.AcknowledgedAt));
        Assert.Equal(Sample.MessageIds, read.MessageIds);
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
