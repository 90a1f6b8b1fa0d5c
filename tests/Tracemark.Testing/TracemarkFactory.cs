using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tracemark.Core.Time;
using Tracemark.Server;
using Xunit;

namespace Tracemark.Testing;

/// <summary>
/// The server in process over its own real PostgreSQL database (one per test class, copied from a
/// migrated template), with a clock the test moves. Use as IClassFixture; call <see cref="ResetAsync"/>
/// in a test's constructor or InitializeAsync when tests of one class must not see each other's rows.
/// </summary>
public class TracemarkFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "tracemark-test-data", Guid.NewGuid().ToString("N"));
    private TestPostgres? _postgres;

    /// <summary>The clock every deadline and timer in the app reads; starts at a fixed Monday 09:00 UTC.</summary>
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    /// <summary>The database's owner connection: bypasses row-level security, for setting up and checking rows.</summary>
    public string ConnectionString { get; private set; } = "";

    public string DataFolder => _dataFolder;

    /// <summary>Errors the server logged (unhandled exceptions and the like), also written to each test's output.</summary>
    public CapturedErrors ServerErrors { get; } = new();

    /// <summary>Extra configuration for this test class, e.g. ["Tracemark:Demo"] = "true".</summary>
    protected virtual IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    public virtual async ValueTask InitializeAsync()
    {
        _postgres = await TestPostgres.SharedAsync();
        ConnectionString = await _postgres.CreateDatabaseAsync(GetType().Name);
    }

    /// <summary>Replaces the database with a fresh copy of the migrated template.</summary>
    public async Task ResetAsync()
    {
        Services.GetRequiredService<NpgsqlDataSource>().Clear();
        await _postgres!.RecreateDatabaseAsync(ConnectionString);
        Services.GetRequiredService<NpgsqlDataSource>().Clear();
    }

    public async Task<NpgsqlConnection> OpenOwnerConnectionAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null && ConnectionString.Length > 0)
        {
            await _postgres.DropDatabaseAsync(ConnectionString);
        }

        if (Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Tracemark", ConnectionString);
        builder.UseSetting("Tracemark:Migrate", "false");
        builder.UseSetting("Tracemark:Data", _dataFolder);
        builder.UseSetting("Tracemark:Urls", "http://127.0.0.1:0");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(ServerErrors));
        builder.ConfigureTestServices(services =>
        {
            // Requests run in the calling test's context, so what the server logs reaches that test's output.
            services.Configure<TestServerOptions>(o => o.PreserveExecutionContext = true);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }
}
