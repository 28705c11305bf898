using PeerServ.Live.EngineIO;

namespace PeerServ.Live.Live;

/// <summary>
/// Once a second: every session's Engine.IO heartbeat and the authentication deadline. When the host stops, every
/// connection gets a Socket.IO disconnect first (a bare TCP close would make real clients reconnect in a loop that
/// never authenticates), then the transport close.
/// </summary>
internal sealed class LiveHeartbeat(EngineServer engine, LiveApplication application, IHostApplicationLifetime lifetime, TimeProvider time) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(DisconnectAll);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                engine.Tick();
                application.Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void DisconnectAll()
    {
        engine.Stopping = true;
        foreach (var session in engine.Sessions)
        {
            if (session.Handler is SocketIO.SocketConnection socket)
            {
                socket.Disconnect("server shutting down");
            }
            else
            {
                session.Close("server shutting down");
            }
        }
    }
}
