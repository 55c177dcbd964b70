namespace Skymap.Driver.Storage;

/// <summary>Versioned schema migrations (SERVICE.md §9), one script per provider and version, applied at start-up.</summary>
internal static class Migrations
{
    public static IReadOnlyList<(int Version, string Sqlite, string Postgres)> All { get; } =
    [
        (1, V1(sqlite: true), V1(sqlite: false)),
    ];

    private static string V1(bool sqlite)
    {
        var blob = sqlite ? "BLOB" : "BYTEA";
        var serial = sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
        var json = sqlite ? "TEXT" : "JSONB";
        return $"""
            CREATE TABLE manifests (
                scan_id TEXT PRIMARY KEY,
                timestamp DOUBLE PRECISION NOT NULL,
                run_id BIGINT NULL,
                event_id BIGINT NULL,
                event_type TEXT NULL,
                is_real_event INTEGER NULL,
                is_deleted INTEGER NOT NULL,
                launched_at DOUBLE PRECISION NULL,
                launch_mode TEXT NOT NULL,
                deactivated TEXT NULL,
                priority INTEGER NOT NULL,
                last_updated DOUBLE PRECISION NOT NULL,
                classifiers {json} NOT NULL,
                doc TEXT NOT NULL);
            CREATE INDEX ix_manifests_timestamp ON manifests (timestamp);
            CREATE INDEX ix_manifests_run_event ON manifests (run_id, event_id DESC);
            CREATE INDEX ix_manifests_event_type ON manifests (event_type);
            CREATE INDEX ix_manifests_deleted ON manifests (is_deleted);
            CREATE INDEX ix_manifests_last_updated ON manifests (last_updated);
            CREATE TABLE results (
                scan_id TEXT PRIMARY KEY,
                is_final INTEGER NOT NULL,
                doc TEXT NOT NULL);
            CREATE TABLE scan_requests (
                scan_id TEXT PRIMARY KEY,
                rescan_ids TEXT NOT NULL,
                doc TEXT NOT NULL);
            CREATE TABLE events (
                event_ref TEXT PRIMARY KEY,
                json TEXT NOT NULL);
            CREATE TABLE backlog (
                scan_id TEXT PRIMARY KEY,
                timestamp DOUBLE PRECISION NOT NULL,
                priority INTEGER NOT NULL,
                pending_timestamp DOUBLE PRECISION NOT NULL,
                next_attempt INTEGER NOT NULL);
            CREATE INDEX ix_backlog_order ON backlog (priority DESC, timestamp ASC);
            CREATE TABLE teardown_jobs (
                scan_id TEXT PRIMARY KEY,
                due_at DOUBLE PRECISION NOT NULL);
            CREATE TABLE startups (
                scan_id TEXT PRIMARY KEY,
                bytes {blob} NOT NULL,
                sha256 TEXT NOT NULL,
                to_queue TEXT NULL,
                from_queue TEXT NULL);
            CREATE TABLE scan_logs (
                id {serial},
                scan_id TEXT NOT NULL,
                line TEXT NOT NULL);
            CREATE INDEX ix_scan_logs_scan ON scan_logs (scan_id, id);
            CREATE TABLE request_keys (
                request_key TEXT PRIMARY KEY,
                scan_id TEXT NOT NULL,
                created DOUBLE PRECISION NOT NULL);
            """;
    }
}
