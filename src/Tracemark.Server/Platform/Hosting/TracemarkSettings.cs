namespace Tracemark.Server.Platform.Hosting;

/// <summary>
/// Every setting an operator can give, read once from configuration. Each has a short environment
/// variable (TRACEMARK_*) and a configuration key (Tracemark:*) for appsettings or the command line.
/// </summary>
public sealed record TracemarkSettings
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Folder for the embedded cluster, keys and demo credentials (TRACEMARK_DATA).</summary>
    public required string DataFolder { get; init; }

    /// <summary>Listen addresses, separated by ';' (TRACEMARK_URLS).</summary>
    public required string Urls { get; init; }

    /// <summary>An external PostgreSQL; when null the embedded default runs (ConnectionStrings__Tracemark or TRACEMARK_DATABASE).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Load the demo organisations and data into an empty database and write demo-credentials.json (TRACEMARK_DEMO).</summary>
    public bool Demo { get; init; }

    /// <summary>Apply pending migrations at startup. Default: yes for the embedded database, no for an external one (TRACEMARK_MIGRATE).</summary>
    public bool MigrateAtStartup { get; init; }

    /// <summary>PostgreSQL's bin folder when not found on its own (TRACEMARK_PG_BIN).</summary>
    public string? PostgresBin { get; init; }

    /// <summary>The unprivileged user the embedded PostgreSQL runs as when Tracemark runs as root (TRACEMARK_PG_USER, default postgres).</summary>
    public string? PostgresUser { get; init; }

    /// <summary>
    /// A PEM file with the private key (ECDSA P-256) that signs the evidence ledger's tree heads (TRACEMARK_LEDGER_KEY).
    /// When null, the key is <c>ledger-key.pem</c> in the data folder, created on first start.
    /// </summary>
    public string? LedgerKeyFile { get; init; }

    /// <summary>
    /// Files of the catalogue's vocabulary for screening, one word per line, separated by ';' (TRACEMARK_VOCABULARY): its
    /// words are never lookalikes on their own (<see cref="Matching.WordList.FromWords(IEnumerable{string}, IEnumerable{string}, IEnumerable{string})"/>).
    /// </summary>
    public IReadOnlyList<string> VocabularyFiles { get; init; } = [];

    public bool IsEmbedded => ConnectionString is null;

    public static TracemarkSettings From(IConfiguration configuration)
    {
        var connectionString = NullIfBlank(configuration.GetConnectionString("Tracemark")) ?? Read(configuration, "Database", "TRACEMARK_DATABASE");
        return new TracemarkSettings
        {
            DataFolder = Path.GetFullPath(Read(configuration, "Data", "TRACEMARK_DATA") ?? ".tracemark"),
            Urls = Read(configuration, "Urls", "TRACEMARK_URLS") ?? DefaultUrls,
            ConnectionString = connectionString,
            Demo = ReadFlag(configuration, "Demo", "TRACEMARK_DEMO") ?? false,
            MigrateAtStartup = ReadFlag(configuration, "Migrate", "TRACEMARK_MIGRATE") ?? connectionString is null,
            PostgresBin = Read(configuration, "PgBin", "TRACEMARK_PG_BIN"),
            PostgresUser = Read(configuration, "PgUser", "TRACEMARK_PG_USER"),
            LedgerKeyFile = Read(configuration, "LedgerKey", "TRACEMARK_LEDGER_KEY") is { } key ? Path.GetFullPath(key) : null,
            VocabularyFiles = Files(Read(configuration, "Vocabulary", "TRACEMARK_VOCABULARY"), "TRACEMARK_VOCABULARY (Tracemark:Vocabulary)"),
        };
    }

    private static string[] Files(string? paths, string setting)
    {
        var files = (paths ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToArray();
        return files.FirstOrDefault(f => !File.Exists(f)) is { } missing ? throw new StartupException($"{setting}: the file {missing} does not exist") : files;
    }

    private static string? Read(IConfiguration configuration, string key, string environmentVariable) =>
        NullIfBlank(configuration["Tracemark:" + key]) ?? NullIfBlank(configuration[environmentVariable]);

    private static bool? ReadFlag(IConfiguration configuration, string key, string environmentVariable)
    {
        var value = Read(configuration, key, environmentVariable);
        return value switch
        {
            null => null,
            "1" or "true" or "True" or "TRUE" or "yes" => true,
            "0" or "false" or "False" or "FALSE" or "no" => false,
            _ => throw new StartupException($"{environmentVariable} (Tracemark:{key}) must be true or false, not '{value}'"),
        };
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
