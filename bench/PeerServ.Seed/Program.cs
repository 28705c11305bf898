using PeerServ.Seed;

try
{
    return await Seeder.RunAsync(SeedOptions.Parse(args));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
