using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;

namespace PeerServ.Auth.Tests;

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Host_WithoutValidServerKey_RefusesToStartNamingTheKey(string? key)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        if (key is not null)
        {
            builder.Configuration["Auth:ServerPrivateKey"] = key;
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddPeerServAuth();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Auth:ServerPrivateKey", error.Message, StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(key))
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }
}
