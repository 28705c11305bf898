using PeerServ.Relay;

namespace PeerServ.ServiceDefaults.Tests;

public sealed class RelayFieldsTests
{
    [Theory]
    [InlineData("inbox", null)]
    [InlineData("payment_inbox", null)]
    [InlineData("ünïcödé 📬", null)]
    [InlineData("", "ERR_MESSAGEBOX_REQUIRED")]
    [InlineData(" inbox", "ERR_INVALID_MESSAGEBOX")]
    [InlineData("inbox\t", "ERR_INVALID_MESSAGEBOX")]
    [InlineData("in\u0000box", "ERR_INVALID_MESSAGEBOX")]
    [InlineData("in\u0085box", "ERR_INVALID_MESSAGEBOX")]
    public void BoxError_Rules(string box, string? expected) => Assert.Equal(expected, RelayFields.BoxError(box)?.Code);

    [Fact]
    public void BoxError_UnpairedSurrogate_Invalid()
    {
        // Built in code: theory data would be serialised and the lone surrogate replaced on the way.
        var lone = "in" + (char)0xD800 + "box";

        Assert.Equal("ERR_INVALID_MESSAGEBOX", RelayFields.BoxError(lone)?.Code);
        Assert.False(RelayFields.IsValidId(lone));
        Assert.Null(RelayFields.BoxError("in" + char.ConvertFromUtf32(0x1F4EC) + "box"));
    }

    [Fact]
    public void BoxError_ByteLengthNotCharacterLength()
    {
        Assert.Null(RelayFields.BoxError(new string('é', 64)));
        Assert.Equal("ERR_MESSAGEBOX_TOO_LARGE", RelayFields.BoxError(new string('é', 65))?.Code);
    }

    [Theory]
    [InlineData("abc123", true)]
    [InlineData("42", true)]
    [InlineData("", false)]
    [InlineData(" padded", false)]
    [InlineData("tab\tinside", false)]
    public void IsValidId_Rules(string id, bool valid) => Assert.Equal(valid, RelayFields.IsValidId(id));

    [Fact]
    public void IsValidId_At256BytesAndOver()
    {
        Assert.True(RelayFields.IsValidId(new string('i', 256)));
        Assert.False(RelayFields.IsValidId(new string('i', 257)));
    }
}
