// The image's health check: GET http://127.0.0.1:<first ASPNETCORE_HTTP_PORTS port, else 8080>/health/live (or the
// URL given as the argument) and exit 0 on 200, 1 otherwise, saying why on stderr.
var port = (Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? Environment.GetEnvironmentVariable("HTTP_PORTS") ?? "")
    .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "8080";
var url = new Uri(args.Length > 0 ? args[0] : $"http://127.0.0.1:{port}/health/live");
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
try
{
    using var response = await http.GetAsync(url);
    if (response.IsSuccessStatusCode)
    {
        return 0;
    }

    await Console.Error.WriteLineAsync($"{url} answered {(int)response.StatusCode}");
}
catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"{url}: {e.Message}");
}

return 1;
