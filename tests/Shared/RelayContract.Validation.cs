using System.Net;
using PeerServ.Auth.Crypto;

namespace PeerServ.Tests.Relay;

/// <summary>The validation rules of design §3: every bad input gets its signed 4xx error code.</summary>
public abstract partial class RelayContract
{
    public static TheoryData<string, int, string> InvalidSends() => new()
    {
        { """{}""", 400, "ERR_MESSAGE_REQUIRED" },
        { """{"message":"x"}""", 400, "ERR_INVALID_MESSAGE" },
        { """{"message":{"messageBox":"b","body":"x"}}""", 400, "ERR_RECIPIENT_REQUIRED" },
        { """{"message":{"recipient":5,"messageBox":"b","body":"x"}}""", 400, "ERR_INVALID_RECIPIENT" },
        { """{"message":{"recipient":"02abc","messageBox":"b","body":"x"}}""", 400, "ERR_INVALID_RECIPIENT_KEY" },
        { """{"message":{"recipients":[],"messageBox":"b","body":"x"}}""", 400, "ERR_RECIPIENT_REQUIRED" },
        { """{"message":{"recipients":["KEY","KEY"],"messageBox":"b","body":"x"}}""", 400, "ERR_DUPLICATE_RECIPIENT" },
        { """{"message":{"recipient":"KEY","body":"x"}}""", 400, "ERR_MESSAGEBOX_REQUIRED" },
        { """{"message":{"recipient":"KEY","messageBox":7,"body":"x"}}""", 400, "ERR_INVALID_MESSAGEBOX" },
        { """{"message":{"recipient":"KEY","messageBox":"","body":"x"}}""", 400, "ERR_MESSAGEBOX_REQUIRED" },
        { """{"message":{"recipient":"KEY","messageBox":" inbox","body":"x"}}""", 400, "ERR_INVALID_MESSAGEBOX" },
        { """{"message":{"recipient":"KEY","messageBox":"in\nbox","body":"x"}}""", 400, "ERR_INVALID_MESSAGEBOX" },
        { $$$"""{"message":{"recipient":"KEY","messageBox":"{{{new string('b', 129)}}}","body":"x"}}""", 400, "ERR_MESSAGEBOX_TOO_LARGE" },
        { """{"message":{"recipient":"KEY","messageBox":"b"}}""", 400, "ERR_MESSAGE_BODY_REQUIRED" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":""}}""", 400, "ERR_MESSAGE_BODY_REQUIRED" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":42}}""", 400, "ERR_INVALID_MESSAGE_BODY" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":true}}""", 400, "ERR_INVALID_MESSAGE_BODY" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":"x","messageId":""}}""", 400, "ERR_INVALID_MESSAGEID" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":"x","messageId":{"a":1}}}""", 400, "ERR_INVALID_MESSAGEID" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":"x","messageId":"a\u0000b"}}""", 400, "ERR_INVALID_MESSAGEID" },
        { $$$"""{"message":{"recipient":"KEY","messageBox":"b","body":"x","messageId":"{{{new string('i', 257)}}}"}}""", 400, "ERR_INVALID_MESSAGEID" },
        { """{"message":{"recipient":"KEY","messageBox":"b","body":"x","messageId":["a","b"]}}""", 400, "ERR_MESSAGEID_COUNT_MISMATCH" },
        { """not json""", 400, "ERR_INVALID_JSON" },
        { """[1]""", 400, "ERR_INVALID_JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidSends))]
    public async Task Send_InvalidInput_SignedErrorWithCode(string body, int status, string code)
    {
        using var alice = NewClient();
        var bob = PrivateKey.Generate().PublicKey.Hex;

        var (actualStatus, json) = await alice.PostAsync("/sendMessage", body.Replace("KEY", bob, StringComparison.Ordinal));

        Assert.Equal((status, "error", code), ((int)actualStatus, json.Str("status"), json.Code()));
        Assert.False(string.IsNullOrWhiteSpace(json.Str("description")));
    }

    [Fact]
    public async Task Send_TooManyRecipients_Rejected()
    {
        using var alice = NewClient();
        var keys = Enumerable.Range(0, 101).Select(_ => PrivateKey.Generate().PublicKey.Hex).ToArray();

        var (status, json) = await alice.PostAsync("/sendMessage", new { message = new { recipients = keys, messageBox = "b", body = "x" } });

        Assert.Equal((HttpStatusCode.BadRequest, "ERR_TOO_MANY_RECIPIENTS"), (status, json.Code()));
    }

    public static TheoryData<string, string> InvalidLists() => new()
    {
        { """{}""", "ERR_MESSAGEBOX_REQUIRED" },
        { """{"messageBox":null}""", "ERR_MESSAGEBOX_REQUIRED" },
        { """{"messageBox":1}""", "ERR_INVALID_MESSAGEBOX" },
        { """{"messageBox":"b "}""", "ERR_INVALID_MESSAGEBOX" },
        { """{"messageBox":"b","limit":0}""", "ERR_INVALID_LIMIT" },
        { """{"messageBox":"b","limit":1.5}""", "ERR_INVALID_LIMIT" },
        { """{"messageBox":"b","limit":"5"}""", "ERR_INVALID_LIMIT" },
        { """{"messageBox":"b","limit":100000}""", "ERR_INVALID_LIMIT" },
        { """{"messageBox":"b","offset":-1}""", "ERR_INVALID_OFFSET" },
        { """{"messageBox":"b","offset":1,"skip":2}""", "ERR_INVALID_OFFSET" },
        { """{"messageBox":"b","waitSeconds":301}""", "ERR_INVALID_WAIT" },
        { """{"messageBox":"b","waitSeconds":-1}""", "ERR_INVALID_WAIT" },
    };

    [Theory]
    [MemberData(nameof(InvalidLists))]
    public async Task List_InvalidInput_SignedErrorWithCode(string body, string code)
    {
        using var bob = NewClient();

        var (status, json) = await bob.PostAsync("/listMessages", body);

        Assert.Equal((HttpStatusCode.BadRequest, code), (status, json.Code()));
    }

    public static TheoryData<string, string> InvalidAcks() => new()
    {
        { """{}""", "ERR_MESSAGE_ID_REQUIRED" },
        { """{"messageIds":[]}""", "ERR_MESSAGE_ID_REQUIRED" },
        { """{"messageIds":"a"}""", "ERR_INVALID_MESSAGE_ID" },
        { """{"messageIds":[true]}""", "ERR_INVALID_MESSAGE_ID" },
        { """{"messageIds":[""]}""", "ERR_INVALID_MESSAGE_ID" },
        { """{"messageIds":["nope"]}""", "ERR_INVALID_ACKNOWLEDGMENT" },
    };

    [Theory]
    [MemberData(nameof(InvalidAcks))]
    public async Task Acknowledge_InvalidInput_SignedErrorWithCode(string body, string code)
    {
        using var bob = NewClient();

        var (status, json) = await bob.PostAsync("/acknowledgeMessage", body);

        Assert.Equal((HttpStatusCode.BadRequest, code), (status, json.Code()));
    }

    [Fact]
    public async Task Acknowledge_MoreThanLimitIds_Rejected()
    {
        using var bob = NewClient();

        var (status, json) = await bob.PostAsync("/acknowledgeMessage", new { messageIds = Enumerable.Range(0, 1001).Select(i => $"id{i}") });

        Assert.Equal((HttpStatusCode.BadRequest, "ERR_TOO_MANY_MESSAGE_IDS"), (status, json.Code()));
    }
}
