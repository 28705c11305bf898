using System.Buffers.Binary;

namespace PeerServ.Auth.Crypto;

/// <summary>Bitcoin CompactSize; negative values are written as their unsigned 64-bit two's complement (-1 → ff×9).</summary>
public static class VarInt
{
    public const int MaxLength = 9;

    /// <summary>Encodes into <paramref name="destination"/> (at least 9 bytes) and returns the length used.</summary>
    public static int Encode(long value, Span<byte> destination)
    {
        var u = unchecked((ulong)value);
        if (u < 0xfd)
        {
            destination[0] = (byte)u;
            return 1;
        }

        if (u <= 0xffff)
        {
            destination[0] = 0xfd;
            BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)u);
            return 3;
        }

        if (u <= 0xffff_ffff)
        {
            destination[0] = 0xfe;
            BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)u);
            return 5;
        }

        destination[0] = 0xff;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], u);
        return 9;
    }
}
