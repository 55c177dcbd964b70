using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Skymap.Driver.Storage;

/// <summary>A backlog entry (SERVICE.md §5).</summary>
internal sealed record BacklogEntry(string ScanId, double Timestamp, int Priority, double PendingTimestamp, int NextAttempt);

/// <summary>A scan that a worker pool may serve.</summary>
internal sealed record RunningScanRow(string ScanId, int Priority, string? ToQueue, string? FromQueue, string? StartupSha256);

/// <summary>What POST /scan stores, in one transaction.</summary>
internal sealed record ScanInsert(JsonObject? Request, JsonObject Manifest, string EventRef, string? NewEventJson, bool Backlog, string? RequestKey);

/// <summary>
/// The Driver's storage (SERVICE.md §9): SQLite (default, a WAL-mode file) or PostgreSQL, the same tables and SQL.
/// Documents are stored as JSON text next to the scalar columns that queries use; writes are serialised in-process
/// (one Driver per database) and each is one transaction, so an acknowledged write survives a crash.
/// </summary>
internal sealed class DriverStore : IAsyncDisposable
{
    private readonly string? _sqlite;
    private readonly NpgsqlDataSource? _postgres;
    private readonly SemaphoreSlim _write = new(1, 1);

    private DriverStore(string? sqliteConnectionString, NpgsqlDataSource? postgres)
    {
        _sqlite = sqliteConnectionString;
        _postgres = postgres;
    }

    public bool IsPostgres => _postgres is not null;

    public string Description { get; private init; } = "";

    public static DriverStore Create(IConfiguration config)
    {
        var pg = config.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(pg))
        {
            var builder = new NpgsqlConnectionStringBuilder(pg);
            return new DriverStore(null, NpgsqlDataSource.Create(pg)) { Description = $"PostgreSQL database '{builder.Database}' on {builder.Host}" };
        }

        var path = Path.GetFullPath(config["Storage:SqlitePath"] is { Length: > 0 } p ? p : "skymap-driver.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        return new DriverStore(cs, null) { Description = $"SQLite file {path}" };
    }

    // ---------- schema ----------

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        if (!IsPostgres)
        {
            await ExecAsync(c, null, "PRAGMA journal_mode=WAL;", ct);
        }

        await using var tx = await c.BeginTransactionAsync(ct);
        if (IsPostgres)
        {
            await ExecAsync(c, tx, "SELECT pg_advisory_xact_lock(7345019);", ct);
        }

        await ExecAsync(c, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL);", ct);
        var current = Convert.ToInt64(await ScalarAsync(c, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", ct, []) ?? 0L, CultureInfo.InvariantCulture);
        foreach (var (version, sqlite, postgres) in Migrations.All)
        {
            if (version <= current)
            {
                continue;
            }

            await ExecAsync(c, tx, IsPostgres ? postgres : sqlite, ct);
            await ExecAsync(c, tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @t);", ct, ("v", version), ("t", Now()));
        }

        await tx.CommitAsync(ct);
    }

    public async Task<int> SchemaVersionAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return Convert.ToInt32(await ScalarAsync(c, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", ct, []), CultureInfo.InvariantCulture);
    }

    // ---------- scans ----------

    public async Task InsertScanAsync(ScanInsert s, CancellationToken ct)
    {
        await WriteAsync(async (c, tx) =>
        {
            var id = (string)s.Manifest["scan_id"]!;
            if (s.NewEventJson is not null)
            {
                await ExecAsync(c, tx, "INSERT INTO events (event_ref, json) VALUES (@r, @j) ON CONFLICT (event_ref) DO NOTHING;", ct, ("r", s.EventRef), ("j", s.NewEventJson));
            }

            if (s.Request is not null)
            {
                await ExecAsync(c, tx, "INSERT INTO scan_requests (scan_id, rescan_ids, doc) VALUES (@id, @r, @d);", ct,
                    ("id", id), ("r", (s.Request["rescan_ids"] ?? new JsonArray()).ToJsonString()), ("d", s.Request.ToJsonString()));
            }

            await UpsertManifestAsync(c, tx, s.Manifest, ct);
            if (s.Backlog)
            {
                await ExecAsync(c, tx, "INSERT INTO backlog (scan_id, timestamp, priority, pending_timestamp, next_attempt) VALUES (@id, @t, @p, 0, 0);", ct,
                    ("id", id), ("t", (double)s.Manifest["timestamp"]!), ("p", (int)s.Manifest["priority"]!));
            }

            if (s.RequestKey is not null)
            {
                await ExecAsync(c, tx, "INSERT INTO request_keys (request_key, scan_id, created) VALUES (@k, @id, @t) ON CONFLICT (request_key) DO UPDATE SET scan_id = excluded.scan_id, created = excluded.created;", ct,
                    ("k", s.RequestKey), ("id", id), ("t", Now()));
            }

            return 0;
        }, ct);
    }

    public async Task<string?> ScanForRequestKeyAsync(string key, double notBefore, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return await ScalarAsync(c, null, "SELECT scan_id FROM request_keys WHERE request_key = @k AND created >= @t;", ct, [("k", key), ("t", notBefore)]) as string;
    }

    public async Task<JsonObject?> GetManifestAsync(string scanId, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return ParseObject(await ScalarAsync(c, null, "SELECT doc FROM manifests WHERE scan_id = @id;", ct, [("id", scanId)]) as string);
    }

    /// <summary>Reads, changes and writes a manifest in one transaction; bumps <c>last_updated</c>. Null when unknown.</summary>
    public Task<JsonObject?> UpdateManifestAsync(string scanId, Func<JsonObject, bool> mutate, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var m = ParseObject(await ScalarAsync(c, tx, "SELECT doc FROM manifests WHERE scan_id = @id;", ct, [("id", scanId)]) as string);
            if (m is null)
            {
                return null;
            }

            if (mutate(m))
            {
                m["last_updated"] = Now();
                await UpsertManifestAsync(c, tx, m, ct);
            }

            return m;
        }, ct);

    public async Task<(string Doc, bool IsFinal)?> GetResultAsync(string scanId, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT doc, is_final FROM results WHERE scan_id = @id;", [("id", scanId)]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture) != 0) : null;
    }

    public async Task<bool?> GetResultIsFinalAsync(string scanId, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        var v = await ScalarAsync(c, null, "SELECT is_final FROM results WHERE scan_id = @id;", ct, [("id", scanId)]);
        return v is null or DBNull ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>Upserts the result whole; a final one also schedules the teardown job. Bumps the manifest's <c>last_updated</c>.</summary>
    public Task PutResultAsync(string scanId, string doc, bool isFinal, double? teardownAt, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx, "INSERT INTO results (scan_id, is_final, doc) VALUES (@id, @f, @d) ON CONFLICT (scan_id) DO UPDATE SET is_final = excluded.is_final, doc = excluded.doc;", ct,
                ("id", scanId), ("f", isFinal ? 1 : 0), ("d", doc));
            if (teardownAt is { } due)
            {
                await ExecAsync(c, tx, "INSERT INTO teardown_jobs (scan_id, due_at) VALUES (@id, @t) ON CONFLICT (scan_id) DO UPDATE SET due_at = excluded.due_at;", ct, ("id", scanId), ("t", due));
            }

            var m = ParseObject(await ScalarAsync(c, tx, "SELECT doc FROM manifests WHERE scan_id = @id;", ct, [("id", scanId)]) as string);
            if (m is not null)
            {
                m["last_updated"] = Now();
                await UpsertManifestAsync(c, tx, m, ct);
            }

            return 0;
        }, ct);

    public async Task<JsonObject?> GetRequestAsync(string scanId, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return ParseObject(await ScalarAsync(c, null, "SELECT doc FROM scan_requests WHERE scan_id = @id;", ct, [("id", scanId)]) as string);
    }

    /// <summary>The scan request of a scan, or of the original request whose <c>rescan_ids</c> holds it.</summary>
    public async Task<JsonObject?> FindRequestForRescanAsync(string scanId, CancellationToken ct)
    {
        if (await GetRequestAsync(scanId, ct) is { } direct)
        {
            return direct;
        }

        await using var c = await OpenAsync(ct);
        return ParseObject(await ScalarAsync(c, null, "SELECT doc FROM scan_requests WHERE rescan_ids LIKE @p ORDER BY scan_id LIMIT 1;", ct, [("p", "%\"" + scanId + "\"%")]) as string);
    }

    public Task AddRescanIdAsync(string requestScanId, string newScanId, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var doc = ParseObject(await ScalarAsync(c, tx, "SELECT doc FROM scan_requests WHERE scan_id = @id;", ct, [("id", requestScanId)]) as string);
            if (doc is null)
            {
                return 0;
            }

            var ids = doc["rescan_ids"] as JsonArray ?? [];
            ids.Add(newScanId);
            doc["rescan_ids"] = ids.DeepClone();
            await ExecAsync(c, tx, "UPDATE scan_requests SET rescan_ids = @r, doc = @d WHERE scan_id = @id;", ct, ("id", requestScanId), ("r", ids.ToJsonString()), ("d", doc.ToJsonString()));
            return 0;
        }, ct);

    public async Task<string?> GetEventAsync(string eventRef, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return await ScalarAsync(c, null, "SELECT json FROM events WHERE event_ref = @r;", ct, [("r", eventRef)]) as string;
    }

    // ---------- backlog ----------

    public async Task<IReadOnlyList<BacklogEntry>> ListBacklogAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT scan_id, timestamp, priority, pending_timestamp, next_attempt FROM backlog ORDER BY timestamp ASC;", []);
        return await ReadBacklogAsync(cmd, ct);
    }

    /// <summary>
    /// Claims the top entry (priority desc, timestamp asc) among those not pending since <paramref name="reviveBefore"/>,
    /// with priority ≥ <paramref name="minPriority"/>: sets <c>pending_timestamp</c> and increments <c>next_attempt</c>.
    /// </summary>
    public Task<BacklogEntry?> ClaimBacklogAsync(double now, double reviveBefore, int minPriority, CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Command(c, tx, """
                UPDATE backlog SET pending_timestamp = @now, next_attempt = next_attempt + 1
                WHERE scan_id = (SELECT scan_id FROM backlog WHERE pending_timestamp < @revive AND priority >= @minp ORDER BY priority DESC, timestamp ASC LIMIT 1)
                RETURNING scan_id, timestamp, priority, pending_timestamp, next_attempt;
                """, [("now", now), ("revive", reviveBefore), ("minp", minPriority)]);
            var list = await ReadBacklogAsync(cmd, ct);
            return list.Count > 0 ? list[0] : null;
        }, ct);

    public Task RemoveBacklogAsync(string scanId, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx, "DELETE FROM backlog WHERE scan_id = @id;", ct, ("id", scanId)), ct);

    public async Task<int> CountBacklogAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return Convert.ToInt32(await ScalarAsync(c, null, "SELECT COUNT(*) FROM backlog;", ct, []), CultureInfo.InvariantCulture);
    }

    // ---------- launch, startup documents, running scans ----------

    public Task PutStartupAsync(string scanId, byte[] bytes, string sha256, string? toQueue, string? fromQueue, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx,
            "INSERT INTO startups (scan_id, bytes, sha256, to_queue, from_queue) VALUES (@id, @b, @s, @tq, @fq) ON CONFLICT (scan_id) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256, to_queue = excluded.to_queue, from_queue = excluded.from_queue;", ct,
            ("id", scanId), ("b", bytes), ("s", sha256), ("tq", toQueue), ("fq", fromQueue)), ct);

    public async Task<byte[]?> GetStartupAsync(string scanId, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return await ScalarAsync(c, null, "SELECT bytes FROM startups WHERE scan_id = @id;", ct, [("id", scanId)]) as byte[];
    }

    /// <summary>Launched scans without a final result that are neither deleted nor deactivated, priority desc.</summary>
    public async Task<IReadOnlyList<RunningScanRow>> ListRunningAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, """
            SELECT m.scan_id, m.priority, s.to_queue, s.from_queue, s.sha256 FROM manifests m
            LEFT JOIN startups s ON s.scan_id = m.scan_id
            LEFT JOIN results r ON r.scan_id = m.scan_id
            WHERE m.launched_at IS NOT NULL AND m.is_deleted = 0 AND m.deactivated IS NULL AND COALESCE(r.is_final, 0) = 0
            ORDER BY m.priority DESC, m.timestamp ASC;
            """, []);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<RunningScanRow>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new RunningScanRow(r.GetString(0), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture),
                r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }

        return list;
    }

    /// <summary>Launched, unfinished, live scans run by this service (not external): what a restart must pick up.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListInterruptedAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, """
            SELECT m.doc FROM manifests m LEFT JOIN results r ON r.scan_id = m.scan_id
            WHERE m.launched_at IS NOT NULL AND m.is_deleted = 0 AND m.deactivated IS NULL AND COALESCE(r.is_final, 0) = 0 AND m.launch_mode <> 'External'
            ORDER BY m.priority DESC, m.timestamp ASC;
            """, []);
        return await ReadDocsAsync(cmd, ct);
    }

    // ---------- logs ----------

    public Task AppendLogsAsync(string scanId, IReadOnlyList<string> lines, CancellationToken ct) =>
        lines.Count == 0 ? Task.CompletedTask : WriteAsync(async (c, tx) =>
        {
            foreach (var line in lines)
            {
                await ExecAsync(c, tx, "INSERT INTO scan_logs (scan_id, line) VALUES (@id, @l);", ct, ("id", scanId), ("l", line));
            }

            return 0;
        }, ct);

    public async Task<IReadOnlyList<string>> TailLogsAsync(string scanId, int tail, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT line FROM (SELECT id, line FROM scan_logs WHERE scan_id = @id ORDER BY id DESC LIMIT @n) t ORDER BY id ASC;", [("id", scanId), ("n", tail)]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var lines = new List<string>();
        while (await r.ReadAsync(ct))
        {
            lines.Add(r.GetString(0));
        }

        return lines;
    }

    // ---------- find ----------

    public async Task<(IReadOnlyList<JsonObject> Manifests, bool Truncated)> FindAsync(string where, IReadOnlyList<(string Name, object? Value)> parameters, int limit, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null,
            $"SELECT m.doc FROM manifests m LEFT JOIN results r ON r.scan_id = m.scan_id WHERE {where} ORDER BY m.timestamp DESC, m.scan_id DESC LIMIT @limit;",
            [.. parameters, ("limit", limit + 1)]);
        var docs = await ReadDocsAsync(cmd, ct);
        return docs.Count > limit ? (docs.Take(limit).ToArray(), true) : (docs, false);
    }

    // ---------- teardown ----------

    public async Task<IReadOnlyList<string>> DueTeardownsAsync(double now, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT scan_id FROM teardown_jobs WHERE due_at <= @t ORDER BY due_at;", [("t", now)]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var ids = new List<string>();
        while (await r.ReadAsync(ct))
        {
            ids.Add(r.GetString(0));
        }

        return ids;
    }

    public Task AddTeardownAsync(string scanId, double dueAt, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx, "INSERT INTO teardown_jobs (scan_id, due_at) VALUES (@id, @t) ON CONFLICT (scan_id) DO UPDATE SET due_at = excluded.due_at;", ct, ("id", scanId), ("t", dueAt)), ct);

    public Task RemoveTeardownAsync(string scanId, CancellationToken ct) =>
        WriteAsync(async (c, tx) => await ExecAsync(c, tx, "DELETE FROM teardown_jobs WHERE scan_id = @id;", ct, ("id", scanId)), ct);

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _write.Dispose();
    }

    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    // ---------- machinery ----------

    private async Task UpsertManifestAsync(DbConnection c, DbTransaction? tx, JsonObject m, CancellationToken ct)
    {
        var meta = m["event_metadata"] as JsonObject;
        var classifiers = (m["classifiers"] as JsonObject ?? []).ToJsonString();
        var cls = IsPostgres ? "CAST(@cls AS jsonb)" : "@cls";
        await ExecAsync(c, tx, $"""
            INSERT INTO manifests (scan_id, timestamp, run_id, event_id, event_type, is_real_event, is_deleted, launched_at, launch_mode, deactivated, priority, last_updated, classifiers, doc)
            VALUES (@id, @ts, @run, @evt, @type, @real, @del, @la, @mode, @deact, @prio, @lu, {cls}, @doc)
            ON CONFLICT (scan_id) DO UPDATE SET run_id = excluded.run_id, event_id = excluded.event_id, event_type = excluded.event_type,
                is_real_event = excluded.is_real_event, is_deleted = excluded.is_deleted, launched_at = excluded.launched_at, launch_mode = excluded.launch_mode,
                deactivated = excluded.deactivated, priority = excluded.priority, last_updated = excluded.last_updated, classifiers = excluded.classifiers, doc = excluded.doc;
            """, ct,
            ("id", (string)m["scan_id"]!), ("ts", (double)m["timestamp"]!),
            ("run", meta?["run_id"] is JsonValue run ? run.GetValue<long>() : null),
            ("evt", meta?["event_id"] is JsonValue evt ? evt.GetValue<long>() : null),
            ("type", meta?["event_type"] is JsonValue type ? type.GetValue<string>() : null),
            ("real", meta?["is_real_event"] is JsonValue real ? (real.GetValue<bool>() ? 1 : 0) : null),
            ("del", (bool)m["is_deleted"]! ? 1 : 0),
            ("la", m["launched_at"] is JsonValue la ? la.GetValue<double>() : null),
            ("mode", (string?)m["launch_mode"] ?? "InProcess"),
            ("deact", (string?)m["deactivated"]),
            ("prio", (int)m["priority"]!),
            ("lu", (double)m["last_updated"]!),
            ("cls", classifiers),
            ("doc", m.ToJsonString()));
    }

    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            await using var c = await OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            var result = await work(c, tx);
            await tx.CommitAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(ct);
        }

        var c = new SqliteConnection(_sqlite);
        await c.OpenAsync(ct);
        await ExecAsync(c, null, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;", ct);
        return c;
    }

    private static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    private static async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(c, tx, sql, parameters);
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is DBNull ? null : v;
    }

    private static async Task<IReadOnlyList<BacklogEntry>> ReadBacklogAsync(DbCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<BacklogEntry>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new BacklogEntry(r.GetString(0), Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture),
                Convert.ToDouble(r.GetValue(3), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(4), CultureInfo.InvariantCulture)));
        }

        return list;
    }

    private static async Task<IReadOnlyList<JsonObject>> ReadDocsAsync(DbCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<JsonObject>();
        while (await r.ReadAsync(ct))
        {
            list.Add(ParseObject(r.GetString(0))!);
        }

        return list;
    }

    private static JsonObject? ParseObject(string? text) => text is null ? null : JsonNode.Parse(text) as JsonObject;
}
