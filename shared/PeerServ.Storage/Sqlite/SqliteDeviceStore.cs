using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>Push devices in the standalone host's SQLite file: table <c>devices</c>, unique on (identity, token), ids from SQLite's row ids.</summary>
internal sealed class SqliteDeviceStore(SqliteDatabase database) : IDeviceStore
{
    private const string Columns = "id, identity, fcm_token, device_id, platform, active, created_at, updated_at, last_used";

    public Task<RegisteredDevice> RegisterAsync(DeviceRegistration registration, int maxDevices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDevices);
        return database.Writer.WriteAsync(w =>
        {
            var upsert = w.Statement($"""
                INSERT INTO devices (identity, fcm_token, device_id, platform, active, created_at, updated_at) VALUES ($i, $t, $d, $p, 1, $now, $now)
                ON CONFLICT (identity, fcm_token) DO UPDATE SET device_id = excluded.device_id, platform = excluded.platform, active = 1, updated_at = excluded.updated_at
                RETURNING {Columns}
                """);
            upsert.Parameters.AddWithValue("$i", registration.Identity);
            upsert.Parameters.AddWithValue("$t", registration.FcmToken);
            upsert.Parameters.AddWithValue("$d", (object?)registration.DeviceId ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$p", (object?)registration.Platform ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$now", registration.Now.ToUnixTimeMilliseconds());
            RegisteredDevice device;
            using (var reader = upsert.ExecuteReader())
            {
                reader.Read();
                device = Read(reader);
            }

            var trim = w.Statement("""
                DELETE FROM devices WHERE identity = $i AND id NOT IN
                    (SELECT id FROM devices WHERE identity = $i ORDER BY id = $keep DESC, updated_at DESC, id DESC LIMIT $max)
                """);
            trim.Parameters.AddWithValue("$i", registration.Identity);
            trim.Parameters.AddWithValue("$keep", device.Id);
            trim.Parameters.AddWithValue("$max", maxDevices);
            trim.ExecuteNonQuery();
            return device;
        }, 512, cancellationToken);
    }

    public Task<IReadOnlyList<RegisteredDevice>> ListAsync(string identity, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<RegisteredDevice>>(connection =>
        {
            using var command = SqliteDatabase.Command(connection, $"SELECT {Columns} FROM devices WHERE identity = $i ORDER BY updated_at DESC, id DESC");
            command.Parameters.AddWithValue("$i", identity);
            var devices = new List<RegisteredDevice>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                devices.Add(Read(reader));
            }

            return devices;
        });

    public Task<bool> UnregisterAsync(string identity, string fcmToken, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(w =>
        {
            var delete = w.Statement("DELETE FROM devices WHERE identity = $i AND fcm_token = $t");
            delete.Parameters.AddWithValue("$i", identity);
            delete.Parameters.AddWithValue("$t", fcmToken);
            return delete.ExecuteNonQuery() > 0;
        }, 256, cancellationToken);

    public Task RecordPushAsync(string identity, string fcmToken, bool accepted, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(w =>
        {
            var update = w.Statement(accepted
                ? "UPDATE devices SET last_used = $now WHERE identity = $i AND fcm_token = $t"
                : "UPDATE devices SET active = 0, updated_at = $now WHERE identity = $i AND fcm_token = $t");
            update.Parameters.AddWithValue("$i", identity);
            update.Parameters.AddWithValue("$t", fcmToken);
            update.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return update.ExecuteNonQuery();
        }, 256, cancellationToken);

    private static RegisteredDevice Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5) != 0,
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
}
