using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Database;

/// <summary>Where the machine's PostgreSQL server programs are (initdb, pg_ctl, postgres).</summary>
internal sealed record PostgresBinaries(string Directory, string MajorVersion)
{
    public string Tool(string name) => Path.Combine(Directory, name);

    public static PostgresBinaries Locate(string? configured)
    {
        foreach (var candidate in Candidates(configured))
        {
            if (File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "pg_ctl")) && File.Exists(Path.Combine(candidate, "postgres")))
            {
                return new PostgresBinaries(candidate, ReadMajorVersion(candidate));
            }

            if (configured is not null && string.Equals(candidate, configured, StringComparison.Ordinal))
            {
                throw new StartupException($"TRACEMARK_PG_BIN={configured} does not hold initdb, pg_ctl and postgres: point it at PostgreSQL's bin folder, e.g. /usr/lib/postgresql/15/bin");
            }
        }

        throw new StartupException("PostgreSQL server programs were not found (looked in pg_config --bindir and /usr/lib/postgresql/*/bin): install them with 'sudo apt-get install -y postgresql', or set TRACEMARK_DATABASE to an existing server's connection string");
    }

    private static IEnumerable<string> Candidates(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            yield return configured;
            yield break;
        }

        var fromPgConfig = PgConfigBinDir();
        if (fromPgConfig is not null)
        {
            yield return fromPgConfig;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (System.IO.Directory.Exists(debianRoot))
        {
            // Highest major version first: that is the one a fresh Debian install would use.
            foreach (var dir in System.IO.Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1))
                .OrderByDescending(d => d.Version))
            {
                yield return Path.Combine(dir.Dir, "bin");
            }
        }
    }

    private static string? PgConfigBinDir()
    {
        try
        {
            var result = ProcessRunner.RunAsync("pg_config", ["--bindir"], timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            return result.Succeeded ? result.Output.Trim() : null;
        }
        catch (StartupException)
        {
            return null;
        }
    }

    private static string ReadMajorVersion(string directory)
    {
        var result = ProcessRunner.RunAsync(Path.Combine(directory, "postgres"), ["--version"], timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();

        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        var words = result.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var version = words.Length >= 3 ? words[2] : "";
        var major = version.Split('.')[0];
        if (!result.Succeeded || major.Length == 0)
        {
            throw new StartupException($"cannot tell the version of {Path.Combine(directory, "postgres")}: {result.LastLine}");
        }

        return major;
    }
}
