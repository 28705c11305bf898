using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Protocol;

/// <summary>
/// Where a BRC-104 payload goes: into a buffer (client, tests) or straight into SHA-256 (server), so that a
/// large body is hashed in place instead of being copied into a payload first.
/// </summary>
public abstract class PayloadSink
{
    public abstract void Write(ReadOnlySpan<byte> bytes);

    public void WriteVarInt(long value)
    {
        Span<byte> buffer = stackalloc byte[VarInt.MaxLength];
        Write(buffer[..VarInt.Encode(value, buffer)]);
    }

    /// <summary>VarInt(length) + bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarInt(bytes.Length);
        Write(bytes);
    }

    /// <summary>VarInt(UTF-8 length) + UTF-8, or VarInt(-1) for null.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteVarInt(-1);
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var n = Encoding.UTF8.GetBytes(value, buffer);
        WriteBytes(buffer[..n]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

public sealed class BufferPayloadSink : PayloadSink
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public override void Write(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);
}

public sealed class HashPayloadSink : PayloadSink, IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public override void Write(ReadOnlySpan<byte> bytes) => _hash.AppendData(bytes);

    public void GetHash(Span<byte> destination) => _hash.GetHashAndReset(destination);

    public void Dispose() => _hash.Dispose();
}
