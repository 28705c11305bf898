using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeerServ.Auth.Crypto;
using PeerServ.Client;
using PeerServ.Client.Messages;

namespace PeerServ.Cli;

/// <summary>The commands: keys (keygen, whoami), and the relay's calls through PeerServ.Client (encrypted sends and decrypted lists by default).</summary>
internal static class Commands
{
    private static readonly string[] ListedFields = ["messageId", "sender", "createdAt", "body"];

    public static async Task<int> RunAsync(CliOptions cli, TextReader stdin, TextWriter stdout)
    {
        switch (cli.Command)
        {
            case "keygen":
                return KeyGen(cli, stdout);
            case "whoami":
            {
                var source = cli.Option("key-file") is { } file ? file : "$PEERSERV_KEY";
                var result = new JsonObject { ["identityKey"] = LoadKey(cli).PublicKey.Hex, ["source"] = source };
                return Print(cli, stdout, result, r => $"{r["identityKey"]}");
            }

            case "send":
            {
                var body = cli.Arguments.Count == 1 ? cli.Arguments[0] : throw new CliException("send takes exactly one BODY (or - for standard input).", 2);
                if (body == "-")
                {
                    body = await stdin.ReadToEndAsync();
                }

                var to = RecipientKey(cli.Require("to"));
                var box = cli.Require("box");
                var sent = await CallAsync(cli, client => client.SendAsync(to, box, body, encrypt: !cli.Plain, messageId: cli.Option("id")));
                var result = new JsonObject { ["messageId"] = sent.MessageId, ["recipient"] = to, ["encrypted"] = !cli.Plain };
                return Print(cli, stdout, result, r => $"sent: {r["messageId"]}{(cli.Plain ? " (plaintext)" : " (encrypted)")}");
            }

            case "list":
            {
                var box = cli.Require("box");
                int? wait = cli.Option("wait") is { } w ? int.TryParse(w, out var seconds) ? seconds : throw new CliException("--wait takes whole seconds.", 2) : null;
                var page = await CallAsync(cli, client => client.ListAsync(box, new ListOptions(WaitSeconds: wait)));
                var result = new JsonObject
                {
                    ["messages"] = new JsonArray([.. page.Messages.Select(Listed)]),
                    ["hasMore"] = page.HasMore,
                };
                // Text mode escapes what senders wrote, so that a body can forge neither lines nor terminal sequences.
                return Print(cli, stdout, result, r => string.Join('\n', r["messages"]!.AsArray().Select(m =>
                    string.Join('\t', ListedFields.Select(field => TerminalText.Escape((string?)m![field]))))));
            }

            case "ack":
            {
                if (cli.Arguments.Count == 0)
                {
                    throw new CliException("ack takes one or more message ids.", 2);
                }

                var acknowledged = await CallAsync(cli, client => client.AcknowledgeAsync(cli.Arguments));
                return Print(cli, stdout, new JsonObject { ["acknowledged"] = acknowledged }, r => $"acknowledged: {r["acknowledged"]}");
            }

            case "allow":
            case "block":
            {
                var box = cli.Require("box");
                var sender = cli.Option("from") is { } from ? RecipientKey(from, "--from") : null;
                var fee = cli.Command == "block" ? -1
                    : cli.Option("fee") is { } f ? int.TryParse(f, out var satoshis) && satoshis >= 0 ? satoshis : throw new CliException("--fee takes satoshis: a whole number, 0 or more.", 2)
                    : 0;
                await CallAsync(cli, async client =>
                {
                    await client.SetPermissionAsync(box, fee, sender);
                    return 0;
                });
                var result = new JsonObject { ["messageBox"] = box, ["sender"] = sender, ["recipientFee"] = fee, ["status"] = Status(fee) };
                return Print(cli, stdout, result, r => $"{r["status"]}: {(sender is null ? "everyone (box-wide)" : sender)} → {box}{(fee > 0 ? $" for {fee} satoshis" : "")}");
            }

            case "permissions":
            {
                var box = cli.Option("box");
                var page = await CallAsync(cli, client => client.ListPermissionsAsync(box, limit: 1000));
                var result = new JsonObject
                {
                    ["permissions"] = new JsonArray([.. page.Permissions.Select(p => (JsonNode)new JsonObject
                    {
                        ["messageBox"] = p.MessageBox, ["sender"] = p.Sender, ["recipientFee"] = p.RecipientFee, ["status"] = p.Status,
                        ["updatedAt"] = p.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    })]),
                    ["totalCount"] = page.TotalCount,
                };
                return Print(cli, stdout, result, r => string.Join('\n', page.Permissions.Select(p => $"{p.MessageBox}\t{p.Sender ?? "*"}\t{p.RecipientFee}\t{p.Status}")));
            }

            case "quote":
            {
                var recipients = cli.Require("to").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => RecipientKey(r)).ToList();
                var box = cli.Require("box");
                var quote = await CallAsync(cli, client => client.QuoteAsync(recipients, box));
                var result = new JsonObject
                {
                    ["quotes"] = new JsonArray([.. quote.Recipients.Select(q => (JsonNode)new JsonObject
                    {
                        ["recipient"] = q.Recipient, ["messageBox"] = q.MessageBox, ["deliveryFee"] = q.DeliveryFee, ["recipientFee"] = q.RecipientFee, ["status"] = q.Status,
                    })]),
                    ["blockedRecipients"] = new JsonArray([.. quote.BlockedRecipients.Select(b => JsonValue.Create(b))]),
                    ["total"] = quote.TotalFee,
                    ["deliveryAgent"] = quote.DeliveryAgentKey,
                };
                return Print(cli, stdout, result, r => string.Join('\n', quote.Recipients.Select(q => $"{q.Recipient}\t{q.Status}\t{q.RecipientFee + q.DeliveryFee}")) + $"\ntotal\t{quote.TotalFee}");
            }

            case "listen":
                return await ListenAsync(cli, stdout);

            default:
                throw new CliException($"Unknown command '{cli.Command}'.\n\n{CliOptions.Usage}", 2);
        }
    }

    private static int KeyGen(CliOptions cli, TextWriter stdout)
    {
        var key = PrivateKey.Generate();
        if (cli.Option("out") is { } path)
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(path, Encoding.ASCII, options);
                writer.Write(key.ToHex());
            }
            catch (IOException ex)
            {
                throw new CliException($"Cannot write the key file {path}: {ex.Message}");
            }
        }

        var result = new JsonObject { ["identityKey"] = key.PublicKey.Hex };
        if (cli.Option("out") is null)
        {
            result["privateKey"] = key.ToHex();
        }
        else
        {
            result["keyFile"] = cli.Option("out");
        }

        return Print(cli, stdout, result, r => r["privateKey"] is null ? $"identity key {r["identityKey"]} written to {r["keyFile"]}" : $"private key  {r["privateKey"]}\nidentity key {r["identityKey"]}");
    }

    /// <summary>Live delivery: one line per message as it arrives (the list's fields, escaped in text mode; --json one object per line).</summary>
    private static async Task<int> ListenAsync(CliOptions cli, TextWriter stdout)
    {
        var key = LoadKey(cli);
        var baseUri = ServerUri(cli);
        var box = cli.Option("box");
        var count = cli.Option("count") is { } n ? int.TryParse(n, out var c) && c > 0 ? c : throw new CliException("--count takes a positive number.", 2) : int.MaxValue;
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var client = Client(cli, key, baseUri);
        LiveSubscription live;
        try
        {
            live = await client.ListenAsync(stop.Token);
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or HttpRequestException or PeerServ.Client.Live.LiveClientException or TimeoutException)
        {
            throw new CliException($"Cannot listen at {baseUri}: {ex.Message}", 5);
        }

        await using (live)
        {
            await Console.Error.WriteLineAsync($"listening as {key.PublicKey.Hex}{(box is null ? "" : $" on box {box}")} (Ctrl+C stops)");
            try
            {
                await foreach (var message in live.ReadAllAsync(stop.Token))
                {
                    if (box is not null && message.MessageBox != box)
                    {
                        continue;
                    }

                    var result = Listed(message);
                    result["messageBox"] = message.MessageBox;
                    Print(cli, stdout, result, r => string.Join('\t', ListedFields.Select(field => TerminalText.Escape((string?)r[field]))));
                    await stdout.FlushAsync(stop.Token);
                    if (--count == 0)
                    {
                        return 0;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return 0;
            }
            catch (MessageDecryptionException ex)
            {
                throw new CliException($"A message does not decrypt: {ex.Message}", 6);
            }

            throw new CliException($"The relay ended the live connection: {live.Connection.Closed}", 5);
        }
    }

    private static Uri ServerUri(CliOptions cli)
    {
        var server = cli.Option("server") ?? Environment.GetEnvironmentVariable("PEERSERV_SERVER") ?? "http://localhost:8080";
        return Uri.TryCreate(server, UriKind.Absolute, out var baseUri) && baseUri.Scheme is "http" or "https"
            ? baseUri
            : throw new CliException($"--server must be an http(s) URL, not '{server}'.", 2);
    }

    private static PeerServClient Client(CliOptions cli, PrivateKey key, Uri baseUri)
    {
        var protocol = (cli.Option("protocol") ?? "brc104") switch
        {
            "brc104" => PeerServProtocol.Brc104,
            "brc31" => PeerServProtocol.Authrite,
            var other => throw new CliException($"--protocol must be brc104 or brc31, not '{other}'.", 2),
        };
        return PeerServClient.Create(baseUri, key, new PeerServClientOptions { Protocol = protocol, Timeout = TimeSpan.FromSeconds(90), MaxRetries = 2 });
    }

    /// <summary>One call on the library, its failures as the CLI's messages and exit codes (3 refused, 4 authentication, 5 unreachable, 6 undecryptable).</summary>
    private static async Task<T> CallAsync<T>(CliOptions cli, Func<PeerServClient, Task<T>> call)
    {
        var baseUri = ServerUri(cli);
        using var client = Client(cli, LoadKey(cli), baseUri);
        try
        {
            return await call(client);
        }
        catch (PeerServClientException ex) when (ex.AuthenticationFailed)
        {
            throw new CliException($"{ex.Message}{(ex.Code is null ? "" : $" ({ex.Code})")}", 4);
        }
        catch (PeerServClientException ex)
        {
            throw new CliException($"The relay refused ({(int)ex.Status} {ex.Code}): {ex.Message}", 3);
        }
        catch (MessageDecryptionException ex)
        {
            throw new CliException($"A message does not decrypt: {ex.Message}", 6);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliException($"Cannot reach the relay at {baseUri}: {ex.Message}", 5);
        }
        catch (TaskCanceledException)
        {
            throw new CliException($"The relay at {baseUri} did not answer in time.", 5);
        }
    }

    private static JsonObject Listed(RelayMessage message) => new()
    {
        ["messageId"] = message.MessageId,
        ["sender"] = message.Sender,
        ["createdAt"] = message.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        ["body"] = message.Body,
        ["encrypted"] = message.WasEncrypted,
    };

    private static string RecipientKey(string hex, string option = "--to") =>
        PublicKey.TryParse(hex, out var key) ? key.Hex : throw new CliException($"{option} must be an identity key: 66 hex characters (compressed secp256k1), not '{hex}'.", 2);

    private static string Status(int fee) => fee switch { -1 => "blocked", 0 => "always_allow", _ => "payment_required" };

    private static PrivateKey LoadKey(CliOptions cli)
    {
        string hex;
        string source;
        if (cli.Option("key-file") is { } file)
        {
            source = $"key file {file}";
            try
            {
                hex = File.ReadAllText(file);
            }
            catch (IOException ex)
            {
                throw new CliException($"Cannot read the {source}: {ex.Message}", 2);
            }
        }
        else
        {
            source = "$PEERSERV_KEY";
            hex = Environment.GetEnvironmentVariable("PEERSERV_KEY")
                ?? throw new CliException("No identity key: pass --key-file FILE or set PEERSERV_KEY (create one with: peerserv keygen).", 2);
        }

        try
        {
            return PrivateKey.FromHex(hex);
        }
        catch (FormatException ex)
        {
            throw new CliException($"Bad identity key in {source}: {ex.Message}", 2);
        }
    }

    private static int Print(CliOptions cli, TextWriter stdout, JsonObject result, Func<JsonObject, string> text)
    {
        stdout.WriteLine(cli.Json ? result.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) : text(result));
        return 0;
    }
}
