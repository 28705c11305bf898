using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerServ.Permissions.Push;
using PeerServ.Tests.Push;
using PeerServ.Tests.Services;

namespace PeerServ.Permissions.Tests;

/// <summary>Push is off unless a key is configured, and a bad key stops the service naming the setting, never quoting the key.</summary>
public sealed class PushConfigurationTests
{
    [Fact]
    public void NoKey_NoPushConsumerAndNoFcmClient()
    {
        using var service = new ServiceFactory<Program>();

        Assert.Null(service.Services.GetService<FcmClient>());
        Assert.DoesNotContain(service.Services.GetServices<IConsumerRegistration>(), r => r.Type == typeof(PushConsumer));
        Assert.False(service.Services.GetRequiredService<IOptions<PushOptions>>().Value.Enabled);
    }

    [Fact]
    public async Task Key_PushConsumerOnTheServiceQueue()
    {
        await using var fcm = await FakeFcm.StartAsync();
        using var service = new ServiceFactory<Program>(new Dictionary<string, string> { ["Push:CredentialsJson"] = fcm.ServiceAccountJson });

        Assert.NotNull(service.Services.GetService<FcmClient>());
        Assert.Contains(service.Services.GetServices<IConsumerRegistration>(), r => r.Type == typeof(PushConsumer));
    }

    [Theory]
    [InlineData("Push:CredentialsJson", "{\"type\":\"authorized_user\",\"private_key\":\"-----BEGIN PRIVATE KEY-----SECRETSECRET\"}", "Push:CredentialsJson (Push__CredentialsJson)")]
    [InlineData("Push:CredentialsJson", "not json SECRETSECRET", "Push:CredentialsJson (Push__CredentialsJson)")]
    [InlineData("Push:CredentialsFile", "/nonexistent/SECRETSECRET/key.json", "Push:CredentialsFile (Push__CredentialsFile)")]
    public void BadKey_StartFailsNamingTheSetting_WithoutTheKey(string setting, string value, string named)
    {
        using var service = new ServiceFactory<Program>(new Dictionary<string, string> { [setting] = value });

        var error = Assert.ThrowsAny<Exception>(() => service.Services);

        var message = error is AggregateException { InnerException: { } inner } ? inner.Message : error.Message;
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSECRET", message.Replace("/nonexistent/SECRETSECRET/key.json", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyWithoutProject_AndNoProjectId_StartFailsNamingProjectId()
    {
        await using var fcm = await FakeFcm.StartAsync();
        var json = fcm.ServiceAccountJson.Replace($"\"project_id\":\"{FakeFcm.ProjectId}\",", "", StringComparison.Ordinal);
        using var service = new ServiceFactory<Program>(new Dictionary<string, string> { ["Push:CredentialsJson"] = json });

        var error = Assert.ThrowsAny<Exception>(() => service.Services);

        Assert.Contains("Push:ProjectId (Push__ProjectId)", error.ToString(), StringComparison.Ordinal);
    }
}
