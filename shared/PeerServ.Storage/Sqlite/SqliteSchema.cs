using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// The SQLite schema (version 3, in <c>PRAGMA user_version</c>) and the migrations from versions 0 and 2. A body is
/// stored once per send in <c>bodies</c> (reference-counted), so a send to 100 recipients writes its body once; each
/// delivery row carries the body's length and hash, so that quotas, list budgets and retry checks never read a body.
/// A message id is unique per (recipient, id, sender). Version 3 adds the push claim of a message, the recipients'
/// permission rules (a box-wide rule has sender '' so that it is as unique as any other) and the push devices.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 3;

    /// <summary>SQL function the migration uses to hash the bodies of version-0 rows.</summary>
    public const string HashFunction = "peerserv_sha256";

    private const string Tables = """
        CREATE TABLE bodies (
            id    INTEGER PRIMARY KEY,
            refs  INTEGER NOT NULL,
            body  TEXT    NOT NULL
        );
        CREATE TABLE messages (
            seq           INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient     TEXT    NOT NULL,
            message_id    TEXT    NOT NULL,
            sender        TEXT    NOT NULL,
            message_box   TEXT    NOT NULL,
            created_at    INTEGER NOT NULL,
            expires_at    INTEGER NOT NULL,
            event_pending INTEGER NOT NULL DEFAULT 1,
            body_bytes    INTEGER NOT NULL,
            body_hash     BLOB    NOT NULL,
            body_id       INTEGER NOT NULL,
            UNIQUE (recipient, message_id, sender)
        );
        CREATE TABLE recipient_usage (
            recipient TEXT    PRIMARY KEY,
            messages  INTEGER NOT NULL,
            bytes     INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE sender_usage (
            sender       TEXT    NOT NULL,
            window_start INTEGER NOT NULL,
            window_end   INTEGER NOT NULL,
            bytes        INTEGER NOT NULL,
            PRIMARY KEY (sender, window_start)
        ) WITHOUT ROWID;
        """;

    private const string Indexes = """
        CREATE INDEX ix_messages_list ON messages (recipient, message_box, created_at, seq);
        CREATE INDEX ix_messages_expiry ON messages (expires_at);
        CREATE INDEX ix_messages_pending ON messages (created_at) WHERE event_pending = 1;
        CREATE INDEX ix_sender_usage_end ON sender_usage (window_end);
        """;

    /// <summary>Version 2 to version 3: the push claim, permissions and devices.</summary>
    private const string FromVersion2 = """
        ALTER TABLE messages ADD COLUMN push_claimed INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE permissions (
            recipient     TEXT    NOT NULL,
            message_box   TEXT    NOT NULL,
            sender        TEXT    NOT NULL,
            recipient_fee INTEGER NOT NULL,
            created_at    INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL,
            PRIMARY KEY (recipient, message_box, sender)
        ) WITHOUT ROWID;
        CREATE TABLE devices (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            identity    TEXT    NOT NULL,
            fcm_token   TEXT    NOT NULL,
            device_id   TEXT,
            platform    TEXT,
            active      INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            last_used   INTEGER,
            UNIQUE (identity, fcm_token)
        );
        CREATE INDEX ix_devices_identity ON devices (identity, updated_at);
        """;

    /// <summary>Version 0 (one row per delivery with its body, ids unique per recipient) to version 2; version 3 follows in the same transaction.</summary>
    private const string FromVersion0 = """
        ALTER TABLE messages RENAME TO messages_v0;
        DROP INDEX IF EXISTS ix_messages_list;
        DROP INDEX IF EXISTS ix_messages_expiry;
        DROP INDEX IF EXISTS ix_messages_pending;
        """ + Tables + """
        INSERT INTO bodies (id, refs, body) SELECT seq, 1, body FROM messages_v0;
        INSERT INTO messages (seq, recipient, message_id, sender, message_box, created_at, expires_at, event_pending, body_bytes, body_hash, body_id)
            SELECT seq, recipient, message_id, sender, message_box, created_at, expires_at, event_pending,
                   length(CAST(body AS BLOB)), peerserv_sha256(body), seq FROM messages_v0;
        INSERT INTO recipient_usage (recipient, messages, bytes)
            SELECT recipient, count(*), total(length(CAST(body AS BLOB))) FROM messages_v0 GROUP BY recipient;
        DROP TABLE messages_v0;
        """ + Indexes;

    /// <summary>Creates or migrates the schema on <paramref name="connection"/>; idempotent.</summary>
    public static void Apply(SqliteConnection connection)
    {
        Execute(connection, "PRAGMA journal_mode = WAL;");
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version == Version)
        {
            return;
        }

        if (version > Version)
        {
            throw new StoreUnavailableException($"The SQLite file has schema version {version}; this build knows up to {Version}.");
        }

        var hasMessages = Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'messages'") is long n && n > 0;
        connection.CreateFunction(HashFunction, (string body) => BodyHash.Of(body), isDeterministic: true);
        using var transaction = connection.BeginTransaction();
        if (version < 2)
        {
            Execute(connection, hasMessages ? FromVersion0 : Tables + Indexes, transaction);
        }

        Execute(connection, FromVersion2, transaction);
        Execute(connection, $"PRAGMA user_version = {Version};", transaction);
        transaction.Commit();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
