using PeerServ.Cli;

try
{
    return await Commands.RunAsync(CliOptions.Parse(args), Console.In, Console.Out);
}
catch (CliException ex)
{
    (ex.ExitCode == 0 ? Console.Out : Console.Error).WriteLine(ex.ExitCode == 0 ? ex.Message : "peerserv: " + ex.Message);
    return ex.ExitCode;
}
