using Npgsql;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Demo;

/// <summary>One feature's share of the demo data. Seeders run in <see cref="Order"/> and must be idempotent.</summary>
public interface IDemoSeeder
{
    int Order { get; }

    string Name { get; }

    Task SeedAsync(DemoContext context, CancellationToken cancellationToken);
}

/// <summary>What seeders share: the database as its owner (row-level security does not apply), the data folder and a bag for ids.</summary>
public sealed class DemoContext(NpgsqlDataSource ownerDataSource, string dataFolder, TimeProvider clock)
{
    public NpgsqlDataSource Database { get; } = ownerDataSource;

    public string DataFolder { get; } = dataFolder;

    public TimeProvider Clock { get; } = clock;

    /// <summary>Values one seeder hands to later ones (e.g. generated API keys to write into the credentials file).</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>(StringComparer.Ordinal);
}

/// <summary>
/// Loads the demo data set once per database. A restart finds it loaded and does nothing, which keeps
/// warm starts fast; <c>tracemark demo --force</c> runs every seeder again (they upsert).
/// </summary>
public sealed class DemoLoader(IEnumerable<IDemoSeeder> seeders, NpgsqlDataSource dataSource, TracemarkSettings settings, TimeProvider clock, ILogger<DemoLoader> logger)
{
    public const string DataSetName = "tracemark-demo-v1";

    public async Task<bool> LoadAsync(CancellationToken cancellationToken, bool force = false)
    {
        await using (var loaded = dataSource.CreateCommand("SELECT 1 FROM demo_loads WHERE name = $1"))
        {
            loaded.Parameters.AddWithValue(DataSetName);
            if (!force && await loaded.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return false;
            }
        }

        var context = new DemoContext(dataSource, settings.DataFolder, clock);
        foreach (var seeder in seeders.OrderBy(s => s.Order))
        {
            logger.LogInformation("Loading demo data: {Seeder}", seeder.Name);
            await seeder.SeedAsync(context, cancellationToken);
        }

        await using var mark = dataSource.CreateCommand("INSERT INTO demo_loads (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET loaded_at = now()");
        mark.Parameters.AddWithValue(DataSetName);
        await mark.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }
}
