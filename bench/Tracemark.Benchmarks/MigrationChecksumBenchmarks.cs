using BenchmarkDotNet.Attributes;

namespace Tracemark.Benchmarks;

/// <summary>
/// Placeholder-free start of the suite: the cost of the startup check that hashes each migration,
/// which every start pays. Pure code from the libraries gets its own suites next to this one.
/// </summary>
[MemoryDiagnoser]
public class MigrationChecksumBenchmarks
{
    private readonly byte[] _sql = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("CREATE TABLE t (id uuid PRIMARY KEY, name text NOT NULL);\n", 400)));

    [Benchmark]
    public byte[] Sha256OfAMigration() => System.Security.Cryptography.SHA256.HashData(_sql);
}
