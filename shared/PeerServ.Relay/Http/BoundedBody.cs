using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PeerServ.Relay.Http;

/// <summary>
/// The one reader of request bodies within a byte limit, for the auth middleware (which must hash the exact bytes),
/// the handshakes and every relay endpoint. ASP.NET Core's own limit answers with an exception and an unshaped 413;
/// here the caller answers with its own code, signed where the request is authenticated. A declared length above the
/// limit is refused before a byte is read, and an undeclared one after at most one byte too many.
/// </summary>
public sealed class BoundedBody : IDisposable
{
    private byte[]? _buffer;

    private BoundedBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(BoundedBody))).AsMemory(0, Length);

    /// <summary>The body, in a pooled buffer returned on dispose; null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<BoundedBody?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 1, Math.Min(maxBytes, Array.MaxLength)));
        var length = 0;
        try
        {
            while (true)
            {
                var capacity = (int)Math.Min(buffer.Length, maxBytes);
                if (length == capacity)
                {
                    if (capacity >= maxBytes)
                    {
                        // One byte more than allowed proves the body is too large without reading the rest.
                        var probe = new byte[1];
                        if (await request.Body.ReadAsync(probe, cancellationToken) > 0)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            return null;
                        }

                        break;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    continue;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, capacity - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return new BoundedBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>A read-only stream over the body, for handing it on down the pipeline.</summary>
    public Stream AsStream() => new MemoryStream(_buffer ?? throw new ObjectDisposedException(nameof(BoundedBody)), 0, Length, writable: false);

    /// <summary>JSON text as an object (the document reads <paramref name="json"/> in place: keep it alive), or null when it is not one.</summary>
    public static JsonDocument? ParseObject(ReadOnlyMemory<byte> json, int maxDepth)
    {
        try
        {
            var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>
    /// False when a string value or property name below <paramref name="element"/> escapes a lone surrogate ("\ud800"),
    /// which <see cref="JsonElement.GetString"/> refuses with an exception. For small documents (handshakes); a relay
    /// request's parser is guarded instead.
    /// </summary>
    public static bool HasValidStrings(JsonElement element)
    {
        try
        {
            Visit(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Visit(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Visit(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Visit(item);
                    }

                    break;
            }
        }
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
