using PeerServ.LoadGen;

try
{
    return await new LoadRun(LoadOptions.Parse(args)).RunAsync();
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
