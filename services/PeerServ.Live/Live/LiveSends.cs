using System.Text.Json;
using PeerServ.Relay;
using PeerServ.Relay.Errors;

namespace PeerServ.Live.Live;

/// <summary>
/// A socket's sendMessage: parsed into the /sendMessage body ingest takes, run through the send pipeline (one at a
/// time per connection, within its rate and in-flight bounds), and answered with exactly one
/// sendMessageAck-&lt;room&gt;: success with the message id only once the message is durable, otherwise an error ack,
/// on which the real client sends the same message over HTTP.
/// </summary>
internal static partial class LiveSends
{
    public static void Start(LiveConnection live, JsonElement data, string nonce, ILiveSendPipeline pipeline, LiveOptions options, ILogger logger)
    {
        var roomId = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("roomId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
        if (Request(data, roomId) is not { } request)
        {
            Ack(live, roomId, LiveSendOutcome.Failed(400, RelayErrors.InvalidRecipient.Code,
                "sendMessage needs roomId \"<recipient key>-<message box>\" and message {recipient?, messageId?, body}, the recipient matching the room."));
            return;
        }

        if (!live.TryStartSend())
        {
            Ack(live, roomId, LiveSendOutcome.Failed(429, RelayErrors.RateLimited.Code,
                $"This connection sends more than {options.SendsPerSecond} messages per second or has {options.MaxSendsInFlight} waiting; send over HTTP."));
            return;
        }

        _ = RunAsync(live, roomId, request, nonce, pipeline, options, logger);
    }

    private static async Task RunAsync(LiveConnection live, string roomId, byte[] request, string nonce, ILiveSendPipeline pipeline, LiveOptions options, ILogger logger)
    {
        LiveSendOutcome outcome;
        try
        {
            await live.SendOrder.WaitAsync();
            try
            {
                using var timeout = new CancellationTokenSource(options.SendTimeout);
                outcome = await pipeline.SendAsync(live.Peer.Peer!, nonce, request, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                outcome = LiveSendOutcome.Failed(503, RelayErrors.ServiceUnavailable.Code, "Storing the message took too long; send it over HTTP (a resend with the same id is safe).");
            }
#pragma warning disable CA1031 // A send's fault becomes its error ack; it never escapes into the connection.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSendFault(logger, ex, live.Socket.Session.Id);
                outcome = LiveSendOutcome.Failed(500, RelayErrors.Internal.Code, RelayErrors.Internal.Description);
            }
            finally
            {
                live.SendOrder.Release();
            }
        }
        finally
        {
            live.EndSend();
        }

        Ack(live, roomId, outcome);
    }

    private static void Ack(LiveConnection live, string roomId, LiveSendOutcome outcome)
    {
        object ack = outcome.Succeeded
            ? new { status = "success", messageId = outcome.MessageId }
            : new { status = "error", code = outcome.Code, description = outcome.Description };
        live.Emit(LiveEvents.SendMessageAck(roomId), ack);
    }

    /// <summary>The /sendMessage body for this socket send, or null when the room or the message is malformed.</summary>
    internal static byte[]? Request(JsonElement data, string roomId)
    {
        if (!LiveEvents.TrySplitRoom(roomId, out var recipient, out var box)
            || !data.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("body", out var body) || body.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (message.TryGetProperty("recipient", out var named) && named.ValueKind != JsonValueKind.Null
            && (named.ValueKind != JsonValueKind.String || !string.Equals(named.GetString(), recipient, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, RelayJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("message");
            writer.WriteString("recipient", recipient);
            writer.WriteString("messageBox", box);
            if (message.TryGetProperty("messageId", out var id) && id.ValueKind != JsonValueKind.Null)
            {
                writer.WritePropertyName("messageId");
                id.WriteTo(writer);
            }

            writer.WritePropertyName("body");
            body.WriteTo(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A socket send on live connection {SessionId} failed; it was answered with an error ack")]
    private static partial void LogSendFault(ILogger logger, Exception exception, string sessionId);
}
