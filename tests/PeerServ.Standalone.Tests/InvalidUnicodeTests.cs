using System.Net;
using System.Text;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>JSON strings that escape a lone surrogate (not valid UTF-16) are bad input everywhere: a 400 in the relay's shape, never a 500.</summary>
public sealed class InvalidUnicodeTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    public static TheoryData<string> LoneSurrogates() => [@"\ud800", @"\udfff", @"a\ud800b", @"\udc00\ud800", @"\ud800\u0041"];

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task Handshakes_LoneSurrogateInAnyField_400BadBody(string escaped)
    {
        using var http = new HttpClient(factory.Server.CreateHandler()) { BaseAddress = factory.Server.BaseAddress };
        var key = PrivateKey.Generate().PublicKey.Hex;
        string[] bodies =
        [
            $$$"""{"version":"{{{escaped}}}","messageType":"initialRequest","identityKey":"{{{key}}}","initialNonce":"AAAAAAAAAAAAAAAAAAAAAA=="}""",
            $$$"""{"version":"0.1","messageType":"initialRequest","identityKey":"{{{key}}}{{{escaped}}}","initialNonce":"AAAAAAAAAAAAAAAAAAAAAA=="}""",
            $$$"""{"version":"0.1","messageType":"initialRequest","identityKey":"{{{key}}}","initialNonce":"AAAAAAAAAAAAAAAAAAAAAA==","{{{escaped}}}":1}""",
        ];

        foreach (var (path, body) in bodies.Select(b => ("/.well-known/auth", b)).Append(("/authrite/initialRequest", $$$"""{"authrite":"{{{escaped}}}","identityKey":"{{{key}}}","nonce":"AAAAAAAAAAAAAAAAAAAAAA=="}""")))
        {
            using var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {body} → {(int)response.StatusCode}");
            Assert.Equal("ERR_BAD_REQUEST_BODY", json.Code());
        }
    }

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task RelayCalls_LoneSurrogateInAnyString_Signed400InvalidJson(string escaped)
    {
        using var alice = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());
        var me = alice.Identity;
        (string Path, string Body)[] calls =
        [
            ("/sendMessage", $$$"""{"message":{"recipient":"{{{me}}}","messageBox":"inbox","body":"x{{{escaped}}}"}}"""),
            ("/sendMessage", $$$"""{"message":{"recipient":"{{{me}}}{{{escaped}}}","messageBox":"inbox","body":"x"}}"""),
            ("/sendMessage", $$$"""{"message":{"recipient":"{{{me}}}","messageBox":"in{{{escaped}}}","body":"x"}}"""),
            ("/sendMessage", $$$"""{"message":{"recipient":"{{{me}}}","messageBox":"inbox","body":"x","messageId":"id{{{escaped}}}"}}"""),
            ("/listMessages", $$$"""{"messageBox":"{{{escaped}}}"}"""),
            ("/acknowledgeMessage", $$$"""{"messageIds":["{{{escaped}}}"]}"""),
        ];

        foreach (var (path, body) in calls)
        {
            var (status, json) = await alice.PostAsync(path, body);

            Assert.True(status == HttpStatusCode.BadRequest, $"{path} {body} → {(int)status} {json}");
            Assert.Equal("ERR_INVALID_JSON", json.Code());
        }
    }
}
