using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace PeerServ.Storage;

/// <summary>SHA-256 of a body's UTF-8 bytes, encoded in small pooled chunks rather than as one copy of the body.</summary>
internal static class BodyHash
{
    private const int ChunkChars = 8 * 1024;

    public static byte[] Of(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(ChunkChars));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var encoder = Encoding.UTF8.GetEncoder();
            ReadOnlySpan<char> rest = body;
            do
            {
                var chunk = rest[..Math.Min(ChunkChars, rest.Length)];
                // The encoder keeps a high surrogate that ends a chunk for the next one, so pairs split across chunks encode as a whole.
                encoder.Convert(chunk, buffer, flush: chunk.Length == rest.Length, out var used, out var written, out _);
                hash.AppendData(buffer, 0, written);
                rest = rest[used..];
            }
            while (!rest.IsEmpty);

            return hash.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
