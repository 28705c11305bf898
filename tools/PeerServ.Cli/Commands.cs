using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;

namespace PeerServ.Cli;

/// <summary>The commands: keys (keygen, whoami) and the three relay calls on our authenticated client handlers.</summary>
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

                var message = new JsonObject { ["recipient"] = cli.Require("to"), ["messageBox"] = cli.Require("box"), ["body"] = body };
                if (cli.Option("id") is { } id)
                {
                    message["messageId"] = id;
                }

                var reply = await PostAsync(cli, "/sendMessage", new JsonObject { ["message"] = message });
                return Print(cli, stdout, reply, r => $"sent: {r["messageId"]}");
            }

            case "list":
            {
                var request = new JsonObject { ["messageBox"] = cli.Require("box") };
                if (cli.Option("wait") is { } wait)
                {
                    request["waitSeconds"] = int.TryParse(wait, out var seconds) ? seconds : throw new CliException("--wait takes whole seconds.", 2);
                }

                var reply = await PostAsync(cli, "/listMessages", request);
                // Text mode escapes what senders wrote, so that a body can forge neither lines nor terminal sequences.
                return Print(cli, stdout, reply, r => string.Join('\n', r["messages"]!.AsArray().Select(m =>
                    string.Join('\t', ListedFields.Select(field => TerminalText.Escape((string?)m![field]))))));
            }

            case "ack":
            {
                if (cli.Arguments.Count == 0)
                {
                    throw new CliException("ack takes one or more message ids.", 2);
                }

                var reply = await PostAsync(cli, "/acknowledgeMessage", new JsonObject { ["messageIds"] = new JsonArray([.. cli.Arguments.Select(a => JsonValue.Create(a))]) });
                return Print(cli, stdout, reply, r => $"acknowledged: {r["acknowledged"]}");
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
        PeerServ.Client.Live.LiveClient live;
        try
        {
            live = await PeerServ.Client.Live.LiveClient.ConnectAsync(baseUri, key, cancellationToken: stop.Token);
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
                while (count > 0 && await live.Messages.WaitToReadAsync(stop.Token))
                {
                    while (count > 0 && live.Messages.TryRead(out var message))
                    {
                        if (box is not null && message.MessageBox != box)
                        {
                            continue;
                        }

                        count--;
                        var result = new JsonObject { ["messageBox"] = message.MessageBox, ["messageId"] = message.MessageId, ["sender"] = message.Sender, ["createdAt"] = message.CreatedAt, ["body"] = message.Body };
                        Print(cli, stdout, result, r => string.Join('\t', ListedFields.Select(field => TerminalText.Escape((string?)r[field]))));
                        await stdout.FlushAsync(stop.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return 0;
            }

            if (count > 0)
            {
                throw new CliException($"The relay ended the live connection: {live.Closed}", 5);
            }
        }

        return 0;
    }

    private static Uri ServerUri(CliOptions cli)
    {
        var server = cli.Option("server") ?? Environment.GetEnvironmentVariable("PEERSERV_SERVER") ?? "http://localhost:8080";
        return Uri.TryCreate(server, UriKind.Absolute, out var baseUri) && baseUri.Scheme is "http" or "https"
            ? baseUri
            : throw new CliException($"--server must be an http(s) URL, not '{server}'.", 2);
    }

    private static async Task<JsonObject> PostAsync(CliOptions cli, string path, JsonObject body)
    {
        var key = LoadKey(cli);
        var baseUri = ServerUri(cli);

        HttpMessageHandler handler = (cli.Option("protocol") ?? "brc104") switch
        {
            "brc104" => new Brc104ClientHandler(key),
            "brc31" => new AuthriteClientHandler(key),
            var other => throw new CliException($"--protocol must be brc104 or brc31, not '{other}'.", 2),
        };
        using var http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(90) };
        try
        {
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(path, content);
            var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync())?.AsObject() ?? throw new CliException("The relay answered with no JSON.");
            if (response.StatusCode != HttpStatusCode.OK || (string?)reply["status"] != "success")
            {
                throw new CliException($"The relay refused ({(int)response.StatusCode} {reply["code"]}): {reply["description"]}", 3);
            }

            return reply;
        }
        catch (PeerServAuthException ex)
        {
            throw new CliException($"Authentication failed{(ex.Code is null ? "" : $" ({ex.Code})")}: {ex.Message}", 4);
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
