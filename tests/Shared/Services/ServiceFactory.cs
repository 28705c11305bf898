using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using PeerServ.Storage;
using PeerServ.Storage.Sqlite;

namespace PeerServ.Tests.Services;

/// <summary>
/// One service in process, as it runs behind the gateway, on its own Program: MassTransit's test harness in place of
/// RabbitMQ (with a switch that makes the broker refuse publishes), an SQLite store in place of MongoDB (with a
/// switch that makes it fail), and a <see cref="FakeTimeProvider"/> that drives its clock and timers. Requests carry
/// the gateway's assertion, made with the service's own secret and clock.
/// </summary>
public sealed class ServiceFactory<TProgram> : WebApplicationFactory<TProgram>
    where TProgram : class
{
    private const string Secret = "service-tests-internal-secret-0123456789";
    private readonly string _directory;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Action<IWebHostBuilder>? _configure;
    private GatewayAssertion? _assertion;

    /// <param name="settings">Configuration of the service beyond the test defaults ("Push:FcmUrl", say).</param>
    /// <param name="configure">More of the host, after the test defaults (a log capture, say).</param>
    public ServiceFactory(IReadOnlyDictionary<string, string>? settings = null, Action<IWebHostBuilder>? configure = null)
    {
        _settings = settings ?? new Dictionary<string, string>();
        _configure = configure;
        _directory = Directory.CreateTempSubdirectory("peerserv-service-").FullName;
        Storage = new SqliteStorage(Path.Combine(_directory, "relay.db"));
        Store = new SwitchableStore(Storage.Messages);
        Permissions = new SwitchablePermissionStore(Storage.Permissions);
    }

    /// <summary>The permission rules the service reads and writes (with a switch that makes them fail).</summary>
    public SwitchablePermissionStore Permissions { get; }

    /// <summary>The SQLite file behind every store of the service (messages, permissions, devices).</summary>
    public SqliteStorage Storage { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public SwitchableStore Store { get; }

    /// <summary>While set, every publish fails as if the broker were down.</summary>
    public bool BrokerDown { get; set; }

    public ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:MongoConnectionString", "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=100");
        builder.UseSetting("ConnectionStrings:RabbitMq", "amqp://guest:guest@127.0.0.1:9/");
        builder.UseSetting("Gateway:InternalSecret", Secret);
        builder.UseSetting("Management:Url", "");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IMessageStore>();
            services.RemoveAll<IPermissionStore>();
            services.RemoveAll<IDeviceStore>();
            foreach (var initializer in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "MongoIndexInitializer").ToList())
            {
                services.Remove(initializer);
            }

            services.AddSingleton<IMessageStore>(Store);
            services.AddSingleton<IPermissionStore>(Permissions);
            services.AddSingleton(Storage.Devices);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            services.AddMassTransitTestHarness(x => x.UsingInMemory((context, cfg) =>
            {
                cfg.ConfigurePublish(publish => publish.UseExecute(_ =>
                {
                    if (BrokerDown)
                    {
                        throw new InvalidOperationException("broker down (test switch)");
                    }
                }));
                cfg.ConfigureEndpoints(context);
            }));
        });
        _configure?.Invoke(builder);
    }

    /// <summary>POSTs <paramref name="body"/> as <paramref name="caller"/>, vouched for by the gateway's assertion.</summary>
    public async Task<(int Status, JsonElement Json, HttpResponseMessage Response)> PostAsync(PrivateKey caller, string path, object body)
    {
        ArgumentNullException.ThrowIfNull(caller);
        _assertion ??= new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = Secret }, Time);
        var identity = new PeerIdentity(caller.PublicKey, AuthProtocol.Brc104);
        var sent = JsonSerializer.SerializeToUtf8Bytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(sent) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(GatewayAssertion.IdentityHeader, identity.IdentityKey.Hex);
        request.Headers.Add(GatewayAssertion.ProtocolHeader, identity.Protocol.ToString());
        request.Headers.Add(GatewayAssertion.AssertionHeader, _assertion.Create(identity, "POST", path, sent));
        var response = await CreateClient().SendAsync(request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return ((int)response.StatusCode, json, response);
    }

    /// <summary>Advances the clock in steps until <paramref name="condition"/> holds; false if it never does within <paramref name="span"/>.</summary>
    public async Task<bool> AdvanceUntilAsync(TimeSpan span, TimeSpan step, Func<Task<bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        for (var elapsed = TimeSpan.Zero; elapsed <= span; elapsed += step)
        {
            if (await condition())
            {
                return true;
            }

            Time.Advance(step);
            // Timer callbacks run on the thread pool; give them a moment to do their store and bus work.
            await Task.Delay(20);
        }

        return await condition();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_directory))
        {
            Store.Dispose();
            Storage.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
