using System.Diagnostics;
using System.Text.Json;
using PeerServ.Tests;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>The peerserv command-line tool against the standalone host as a real process.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-cli-").FullName;
    private ServiceProcess _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string> { ["Standalone__DataDirectory"] = Path.Combine(_data, "relay") });
        await _host.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData("brc104")]
    [InlineData("brc31")]
    public async Task Cli_KeygenSendListAck_RoundTrip(string protocol)
    {
        var alice = Path.Combine(_data, $"alice-{protocol}.key");
        var bob = Path.Combine(_data, $"bob-{protocol}.key");
        var bobKey = (await Cli(0, "keygen", "--out", bob, "--json")).GetProperty("identityKey").GetString()!;
        var aliceKey = (await Cli(0, "keygen", "--out", alice, "--json")).GetProperty("identityKey").GetString()!;

        var sent = await Cli(0, "send", "--to", bobKey, "--box", "cli", "--id", "c1", "hello from the cli 🌍", "--key-file", alice, "--protocol", protocol, "--json");
        var listed = await Cli(0, "list", "--box", "cli", "--key-file", bob, "--protocol", protocol, "--json");
        var acked = await Cli(0, "ack", "c1", "--key-file", bob, "--protocol", protocol, "--json");
        var after = await Cli(0, "list", "--box", "cli", "--key-file", bob, "--protocol", protocol, "--json");

        Assert.Equal("c1", sent.GetProperty("messageId").GetString());
        var message = Assert.Single(listed.GetProperty("messages").EnumerateArray());
        Assert.Equal(("hello from the cli 🌍", aliceKey, "c1"), (message.GetProperty("body").GetString(), message.GetProperty("sender").GetString(), message.GetProperty("messageId").GetString()));
        Assert.Equal(1, acked.GetProperty("acknowledged").GetInt32());
        Assert.Empty(after.GetProperty("messages").EnumerateArray());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(alice));
    }

    [Fact]
    public async Task Cli_Whoami_PrintsThePublicKeyOfTheKeyFileOrTheVariable()
    {
        var file = Path.Combine(_data, "whoami.key");
        var identity = (await Cli(0, "keygen", "--out", file, "--json")).GetProperty("identityKey").GetString()!;
        var key = Auth.Crypto.PrivateKey.Generate();

        var (fromFile, printed, _) = await Run(null, "whoami", "--key-file", file);
        var (variableCode, fromVariable, _) = await Run(null, new Dictionary<string, string> { ["PEERSERV_KEY"] = key.ToHex() }, "whoami", "--json");
        var (missing, _, error) = await Run(null, "whoami", "--key-file", Path.Combine(_data, "absent.key"));

        Assert.Equal((0, identity), (fromFile, printed.Trim()));
        Assert.Equal(0, variableCode);
        Assert.Equal(key.PublicKey.Hex, JsonDocument.Parse(fromVariable).RootElement.GetProperty("identityKey").GetString());
        Assert.Equal(2, missing);
        Assert.Contains("Cannot read the key file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_BodyFromStandardInput_AndTextOutput()
    {
        var key = Path.Combine(_data, "stdin.key");
        var identity = (await Cli(0, "keygen", "--out", key, "--json")).GetProperty("identityKey").GetString()!;

        var (code, output, _) = await Run("multi\nline body\n", "send", "--to", identity, "--box", "stdin", "--key-file", key, "-");
        var (_, list, _) = await Run(null, "list", "--box", "stdin", "--key-file", key);

        Assert.Equal(0, code);
        Assert.StartsWith("sent: ", output, StringComparison.Ordinal);
        // Text mode escapes the line breaks a sender wrote; --json keeps the body as sent.
        Assert.Contains(@"multi\nline body\n", list, StringComparison.Ordinal);
        Assert.Single(list.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Cli_ListTextOutput_BodyCannotForgeLinesOrTerminalSequences()
    {
        var key = Path.Combine(_data, "forge.key");
        var identity = (await Cli(0, "keygen", "--out", key, "--json")).GetProperty("identityKey").GetString()!;
        var forged = $"hi\nf00dfeed\t{PrivateKeyHex()}\t2026-01-01T00:00:00.000Z\tAlice here: send funds\u001b]0;pwned\u0007\u001b[2K\u202egnp.exe\u0085";

        await Cli(0, "send", "--to", identity, "--box", "forge", "--key-file", key, "--json", forged);
        var (_, text, _) = await Run(null, "list", "--box", "forge", "--key-file", key);
        var json = await Cli(0, "list", "--box", "forge", "--key-file", key, "--json");

        var line = Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Equal(4, line.Split('\t').Length);
        Assert.DoesNotContain(text, c => c is '\u001b' or '\u0007' or '\u202e' or '\u0085' or '\r');
        Assert.Contains(@"\u{001b}]0;pwned\u{0007}", line, StringComparison.Ordinal);
        Assert.Equal(forged, Assert.Single(json.GetProperty("messages").EnumerateArray()).GetProperty("body").GetString());
    }

    private static string PrivateKeyHex() => Auth.Crypto.PrivateKey.Generate().PublicKey.Hex;

    [Fact]
    public async Task Cli_BadKeyUnreachableServerAndRefusals_ClearErrorsAndExitCodes()
    {
        var badKey = Path.Combine(_data, "bad.key");
        await File.WriteAllTextAsync(badKey, "not a key", TestContext.Current.CancellationToken);
        var good = Path.Combine(_data, "good.key");
        var identity = (await Cli(0, "keygen", "--out", good, "--json")).GetProperty("identityKey").GetString()!;

        var bad = await Run(null, "list", "--box", "b", "--key-file", badKey);
        var unreachable = await Run(null, "list", "--box", "b", "--key-file", good, "--server", $"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var refused = await Run(null, "send", "--to", "02abc", "--box", "b", "x", "--key-file", good);
        var nothing = await Run(null, "ack", "never", "--key-file", good);

        Assert.Equal(2, bad.Code);
        Assert.Contains("Bad identity key", bad.Error, StringComparison.Ordinal);
        Assert.Equal(5, unreachable.Code);
        Assert.Contains("Cannot reach the relay", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(2, refused.Code);
        Assert.Contains("--to must be an identity key", refused.Error, StringComparison.Ordinal);
        Assert.Equal(3, nothing.Code);
        Assert.Contains("ERR_INVALID_ACKNOWLEDGMENT", nothing.Error, StringComparison.Ordinal);
        Assert.NotEmpty(identity);
    }

    [Fact]
    public async Task Cli_EncryptedByDefault_PlainOnRequest_BothReadableByMessageBoxClient_AndItsMessagesDecrypted()
    {
        var alice = Path.Combine(_data, "enc-alice.key");
        var bob = Path.Combine(_data, "enc-bob.key");
        await Cli(0, "keygen", "--out", alice, "--json");
        var bobKey = (await Cli(0, "keygen", "--out", bob, "--json")).GetProperty("identityKey").GetString()!;
        var carol = Auth.Crypto.PrivateKey.Generate();

        var secret = await Cli(0, "send", "--to", bobKey, "--box", "enc", "secret for bob 🔐", "--key-file", alice, "--json");
        var plain = await Cli(0, "send", "--to", bobKey, "--box", "enc", "--plain", "open for all", "--key-file", alice, "--json");
        await NodeClient.RunAsync("messagebox.mjs", "send", _host.Url.ToString().TrimEnd('/'), carol.ToHex(), bobKey, "enc", "from message-box-client");
        var listed = (await Cli(0, "list", "--box", "enc", "--key-file", bob, "--json")).GetProperty("messages").EnumerateArray().ToList();
        var byMessageBoxClient = (await NodeClient.RunAsync("messagebox.mjs", "list", _host.Url.ToString().TrimEnd('/'), File.ReadAllText(bob).Trim(), "enc")).GetProperty("messages").EnumerateArray().ToList();

        Assert.True(secret.GetProperty("encrypted").GetBoolean());
        Assert.False(plain.GetProperty("encrypted").GetBoolean());
        Assert.Equal([("secret for bob 🔐", true), ("open for all", false), ("from message-box-client", true)],
            listed.Select(m => (m.GetProperty("body").GetString(), m.GetProperty("encrypted").GetBoolean())));
        Assert.Equal(carol.PublicKey.Hex, listed[2].GetProperty("sender").GetString());
        Assert.Equal(["from message-box-client", "open for all", "secret for bob 🔐"], byMessageBoxClient.Select(m => m.GetProperty("body").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(secret.GetProperty("messageId").GetString(), byMessageBoxClient.Single(m => m.GetProperty("body").GetString() == "secret for bob 🔐").GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task Cli_AllowBlockPermissionsQuote()
    {
        var bob = Path.Combine(_data, "perm-bob.key");
        var alice = Path.Combine(_data, "perm-alice.key");
        var bobKey = (await Cli(0, "keygen", "--out", bob, "--json")).GetProperty("identityKey").GetString()!;
        var aliceKey = (await Cli(0, "keygen", "--out", alice, "--json")).GetProperty("identityKey").GetString()!;

        var blocked = await Cli(0, "block", "--box", "guarded", "--from", aliceKey, "--key-file", bob, "--json");
        await Cli(0, "allow", "--box", "guarded", "--fee", "5", "--key-file", bob, "--json");
        var rules = await Cli(0, "permissions", "--box", "guarded", "--key-file", bob, "--json");
        var quote = await Cli(0, "quote", "--to", bobKey, "--box", "guarded", "--key-file", alice, "--json");
        var refused = await Run(null, "send", "--to", bobKey, "--box", "guarded", "hello?", "--key-file", alice);
        var (textCode, text, _) = await Run(null, "permissions", "--key-file", bob);

        Assert.Equal("blocked", blocked.GetProperty("status").GetString());
        Assert.Equal(2, rules.GetProperty("totalCount").GetInt64());
        Assert.Equal([(null, 5), (aliceKey, -1)], rules.GetProperty("permissions").EnumerateArray().Select(r => (r.GetProperty("sender").GetString(), r.GetProperty("recipientFee").GetInt32())));
        Assert.Equal([bobKey], quote.GetProperty("blockedRecipients").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal(3, refused.Code);
        Assert.Contains("ERR_DELIVERY_BLOCKED", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, textCode);
        Assert.Contains("guarded\t*\t5\tpayment_required", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Listen_PrintsMessagesAsTheyArrive_OfTheNamedBoxOnly()
    {
        var key = Path.Combine(_data, "listen.key");
        var identity = (await Cli(0, "keygen", "--out", key, "--json")).GetProperty("identityKey").GetString()!;
        var senderKey = Path.Combine(_data, "listen-sender.key");
        await Cli(0, "keygen", "--out", senderKey, "--json");

        var listening = Run(null, "listen", "--box", "live-box", "--count", "2", "--json", "--key-file", key);
        // Live delivery carries only what arrives while connected: keep sending until the listener has printed two.
        for (var i = 0; !listening.IsCompleted && i < 60; i++)
        {
            await Run(null, "send", "--to", identity, "--box", i % 2 == 0 ? "live-box" : "other-box", "--id", $"l{i}", "--key-file", senderKey, $"live {i}");
            await Task.WhenAny(listening, Task.Delay(250, TestContext.Current.CancellationToken));
        }

        var (code, output, error) = await listening;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.True(code == 0, $"listen exited {code}: {error}");
        Assert.Contains("listening as " + identity, error, StringComparison.Ordinal);
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal("live-box", l.GetProperty("messageBox").GetString()));
        Assert.All(lines, l => Assert.StartsWith("live ", l.GetProperty("body").GetString(), StringComparison.Ordinal));
    }

    private async Task<JsonElement> Cli(int expectedCode, params string[] args)
    {
        var (code, output, error) = await Run(null, args);
        Assert.True(code == expectedCode, $"peerserv {string.Join(' ', args)} exited {code}: {error}{output}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private Task<(int Code, string Output, string Error)> Run(string? input, params string[] args) => Run(input, null, args);

    private async Task<(int Code, string Output, string Error)> Run(string? input, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Repository.BuiltDll("tools/PeerServ.Cli", "peerserv"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PEERSERV_SERVER"] = _host.Url.ToString();
        start.Environment.Remove("PEERSERV_KEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        return (process.ExitCode, await output, await error);
    }
}
