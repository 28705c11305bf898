using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// The SQLite schema (version 2, in <c>PRAGMA user_version</c>) and the migration from version 0. A body is stored
/// once per send in <c>bodies</c> (reference-counted), so a send to 100 recipients writes its body once; each
/// delivery row carries the body's length and hash, so that quotas, list budgets and retry checks never read a body.
/// A message id is unique per (recipient, id, sender).
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 2;

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

    /// <summary>Version 0 (one row per delivery with its body, ids unique per recipient) to version 2, in one transaction.</summary>
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
        Execute(connection, hasMessages ? FromVersion0 : Tables + Indexes, transaction);
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
