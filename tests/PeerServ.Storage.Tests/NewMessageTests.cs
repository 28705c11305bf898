using System.Security.Cryptography;
using System.Text;

namespace PeerServ.Storage.Tests;

public sealed class NewMessageTests
{
    public static TheoryData<string> Bodies() => new()
    {
        "",
        "héllo",
        new string('x', 8 * 1024 - 1) + "😀" + new string('y', 20_000),   // a surrogate pair across the first chunk boundary
        new string('é', 300_000),                                            // two UTF-8 bytes per char, many chunks
        new string('z', 8 * 1024 - 1) + "\ud800" + "tail",                   // a lone high surrogate at a chunk boundary
        "lone low \udc00 in the middle",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void BodyHash_IsTheSha256OfTheBodysUtf8Bytes(string body)
    {
        var message = new NewMessage("alice", "inbox", body, [new Delivery("bob", "m")], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(body)), message.BodyHash);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), message.BodyBytes);
    }
}
