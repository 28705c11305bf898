namespace PeerServ.Cli;

/// <summary>Parsed command line: a command, its positional arguments, and --options.</summary>
internal sealed record CliOptions(string Command, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Options, bool Json, bool Plain)
{
    public const string Usage = """
        peerserv — talk to a PeerServ relay (BRC-33) with mutual authentication.

        usage:
          peerserv keygen [--out FILE]                         new identity key (hex); prints its public key
          peerserv whoami                                      the public identity key of --key-file or $PEERSERV_KEY
          peerserv send --to KEY --box NAME [--id ID] [--plain] BODY|-
                                                               send BODY (or standard input with -), encrypted for
                                                               the recipient as MessageBoxClient does (--plain: as is)
          peerserv list --box NAME [--wait S]                  list a box, bodies decrypted (tab-separated; control
                                                               characters escaped); --wait long-polls up to S seconds
          peerserv ack ID [ID …]                               acknowledge (delete) messages
          peerserv listen [--box NAME] [--count N]             print messages as they arrive (live delivery, decrypted),
                                                               of every box or only NAME; stop after N (else Ctrl+C)
          peerserv allow --box NAME [--from KEY] [--fee N]     let KEY (or everyone: the box-wide rule) send into your
                                                               box, free or for N satoshis
          peerserv block --box NAME [--from KEY]               refuse KEY's (or everyone's) messages into your box
          peerserv permissions [--box NAME]                    your rules
          peerserv quote --to KEY[,KEY…] --box NAME            what sending there costs you, and who blocks you

        options:
          --server URL           relay URL                               [$PEERSERV_SERVER or http://localhost:8080]
          --protocol P           brc104 | brc31                          [brc104]
          --key-file FILE        identity key file (64 hex characters)   [else $PEERSERV_KEY]
          --json                 machine-readable output
        """;

    private static readonly HashSet<string> Flags = ["json", "plain"];

    public static CliOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            throw new CliException(Usage, 0);
        }

        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Length > 2)
            {
                var name = args[i][2..];
                if (Flags.Contains(name))
                {
                    flags.Add(name);
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new CliException($"--{name} needs a value.\n\n{Usage}", 2);
                }

                options[name] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return new CliOptions(args[0], positional, options, flags.Contains("json"), flags.Contains("plain"));
    }

    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;

    public string Require(string name) => Option(name) ?? throw new CliException($"{Command} needs --{name}.\n\n{Usage}", 2);
}

/// <summary>An error to print (without a stack trace) and the exit code to leave with.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
