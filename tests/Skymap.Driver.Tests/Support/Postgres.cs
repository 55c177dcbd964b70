using Npgsql;

namespace Skymap.Driver.Tests.Support;

/// <summary>
/// The test PostgreSQL (started by <c>.ci/start-postgres.sh</c>): connection string from <c>SKYMAP_TEST_POSTGRES</c>, else the
/// script's defaults. Each test gets a fresh database.
/// </summary>
public static class Postgres
{
    public static string BaseConnectionString { get; } =
        Environment.GetEnvironmentVariable("SKYMAP_TEST_POSTGRES") is { Length: > 0 } s ? s : "Host=127.0.0.1;Port=5432;Username=skymap;Password=skymap;Database=skymap_test;Timeout=5";

    private static readonly Lazy<string?> Why = new(() =>
    {
        try
        {
            using var c = new NpgsqlConnection(BaseConnectionString);
            c.Open();
            return null;
        }
#pragma warning disable CA1031
        catch (Exception e)
#pragma warning restore CA1031
        {
            return $"PostgreSQL is not reachable ({e.Message}); run .ci/start-postgres.sh";
        }
    });

    public static string? Unavailable => Why.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static string CreateDatabase()
    {
        var name = "skymap_t_" + Guid.NewGuid().ToString("N")[..12];
        using (var c = new NpgsqlConnection(BaseConnectionString))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {name}";
            cmd.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(BaseConnectionString) { Database = name, Pooling = false }.ToString();
    }

    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        using var c = new NpgsqlConnection(BaseConnectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
        cmd.ExecuteNonQuery();
    }
}
