using Npgsql;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Database;

/// <summary>
/// The database the platform uses: an external server when a connection string is configured,
/// otherwise the embedded cluster, which this object starts and, when disposed, stops.
/// </summary>
public sealed class DatabaseHost : IAsyncDisposable
{
    private readonly ILoggerFactory? _logging;

    private DatabaseHost(string connectionString, EmbeddedPostgres? embedded, ILoggerFactory? logging)
    {
        ConnectionString = connectionString;
        Embedded = embedded;
        _logging = logging;
    }

    public string ConnectionString { get; }

    public EmbeddedPostgres? Embedded { get; }

    /// <summary>Opens the database; the embedded launcher logs to the console until it stops, outliving the app's own logging.</summary>
    public static async Task<DatabaseHost> OpenAsync(TracemarkSettings settings, CancellationToken cancellationToken = default)
    {
        if (settings.ConnectionString is { } external)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(external);
            }
            catch (ArgumentException ex)
            {
                throw new StartupException($"the database connection string is not valid: {ex.Message}", ex);
            }

            await using var probe = new NpgsqlConnection(external);
            try
            {
                await probe.OpenAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                throw DatabaseErrors.Unreachable(external, ex);
            }

            return new DatabaseHost(external, null, null);
        }

        var logging = LoggerFactory.Create(l => l.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
        try
        {
            var embedded = await EmbeddedPostgres.StartAsync(settings.DataFolder, new EmbeddedPostgresOptions(settings.PostgresBin, settings.PostgresUser), logging.CreateLogger("Tracemark.EmbeddedPostgres"), cancellationToken);
            return new DatabaseHost(embedded.ConnectionString, embedded, logging);
        }
        catch
        {
            logging.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Embedded is not null)
        {
            await Embedded.DisposeAsync();
        }

        _logging?.Dispose();
    }
}
