using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using PeerServ.Storage;

namespace PeerServ.ServiceDefaults.Tests;

/// <summary>Every setting is validated when the host starts, and a failure names the key and its environment variable.</summary>
public sealed class ValidatedOptionsTests
{
    [Theory]
    [InlineData("Relay:MaxRecipients", "0", "Relay:MaxRecipients (Relay__MaxRecipients)")]
    [InlineData("Relay:ListDefaultLimit", "5000", "Relay:ListDefaultLimit (Relay__ListDefaultLimit) must not exceed Relay:ListMaxLimit (Relay__ListMaxLimit)")]
    [InlineData("Relay:MaxListRequestBytes", "10", "Relay:MaxListRequestBytes (Relay__MaxListRequestBytes)")]
    [InlineData("Management:Url", "not a url", "Management:Url (Management__Url)")]
    [InlineData("Storage:MongoConnectionString", "", "Storage:MongoConnectionString (Storage__MongoConnectionString): is required")]
    [InlineData("Storage:MongoConnectionString", "http://mongo", "Storage:MongoConnectionString (Storage__MongoConnectionString) is not a MongoDB connection string")]
    [InlineData("Storage:MongoDatabase", "bad name!", "Storage:MongoDatabase (Storage__MongoDatabase)")]
    public async Task Host_BadSetting_DoesNotStartAndNamesIt(string key, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["Storage:MongoConnectionString"] = "mongodb://127.0.0.1:9/";
        builder.Configuration[key] = value;
        builder.AddServiceDefaults();
        builder.Services.AddMongoStorage();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MongoStorage_TwoStoresRegistered_OneClient()
    {
        var services = new ServiceCollection();

        services.AddMongoStorage();
        var validators = services.Count(d => d.ServiceType == typeof(IValidateOptions<MongoStorageOptions>));
        services.AddMongoMessageStore();
        services.AddMongoStorage();

        Assert.Single(services, d => d.ServiceType == typeof(IMongoClient));
        Assert.Equal(validators, services.Count(d => d.ServiceType == typeof(IValidateOptions<MongoStorageOptions>)));
    }
}
