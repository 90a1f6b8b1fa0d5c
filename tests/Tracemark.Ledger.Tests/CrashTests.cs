using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tracemark.Ledger.Tests;

/// <summary>
/// Kill -9 during appends, again and again: a child process appends from four concurrent writers and prints each
/// acknowledged leaf; it is killed with SIGKILL at a random moment (while starting, recovering, batching, syncing
/// or checkpointing), then started again on the same folder. At the end every acknowledged leaf must be at the
/// index it was acknowledged at, no leaf may appear twice, there may be no gap, and the stored hashes and root
/// must match a recomputation from the leaves.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int Rounds = 12;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tracemark-crash-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Killing_the_writer_at_random_moments_loses_no_acknowledged_leaf_and_leaves_no_gap_or_duplicate()
    {
        var random = new Random();
        var acknowledged = new Dictionary<ulong, string>();
        var roundsWithAcks = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var acks = RunAndKill(round, TimeSpan.FromMilliseconds(random.Next(150, 1200)));
            roundsWithAcks += acks.Count > 0 ? 1 : 0;
            foreach (var (index, leaf) in acks)
            {
                Assert.True(acknowledged.TryAdd(index, leaf), $"index {index} was acknowledged twice");
            }
        }

        Assert.True(roundsWithAcks >= Rounds / 2, $"only {roundsWithAcks} of {Rounds} rounds got as far as appending: the test proves little");

        using var log = LedgerLog.Open(_folder);
        log.VerifyIntegrity();
        Assert.True(log.Size > acknowledged.Keys.Max(), $"the log has {log.Size} leaves but leaf {acknowledged.Keys.Max()} was acknowledged");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var leafHashes = new List<byte[]>();
        for (ulong i = 0; i < log.Size; i++)
        {
            var leaf = Encoding.UTF8.GetString(log.ReadLeaf(i));
            Assert.StartsWith("round ", leaf, StringComparison.Ordinal);
            Assert.True(seen.Add(leaf), $"leaf {i} appears twice: {leaf}");
            if (acknowledged.TryGetValue(i, out var expected))
            {
                Assert.Equal(expected, leaf);
            }

            leafHashes.Add(Merkle.HashLeaf(Encoding.UTF8.GetBytes(leaf)));
        }

        Assert.Equal(Merkle.ComputeRoot(leafHashes), log.Head.RootHash.ToArray());
        TestContext.Current.TestOutputHelper?.WriteLine($"{Rounds} kills, {acknowledged.Count} leaves acknowledged, {log.Size} in the log");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private List<(ulong Index, string Leaf)> RunAndKill(int round, TimeSpan after)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tracemark.Ledger.CrashWriter.dll"));
        start.ArgumentList.Add(_folder);
        start.ArgumentList.Add(round.ToString(CultureInfo.InvariantCulture));
        using var child = Process.Start(start)!;

        // Plain threads read the pipes, so nothing here waits on the test framework's scheduler while the child runs.
        var output = new StringBuilder();
        var errors = new StringBuilder();
        var readers = new[] { Drain(child.StandardOutput, output), Drain(child.StandardError, errors) };
        Thread.Sleep(after);
        Assert.False(child.HasExited, $"the writer stopped by itself in round {round}: {errors}");
        child.Kill(); // SIGKILL on Linux: no cleanup, no flush, no disposal
        child.WaitForExit();
        foreach (var reader in readers)
        {
            reader.Join();
        }

        // A line the kill cut short was never fully acknowledged: only whole lines count.
        var lines = output.ToString().Split('\n');
        return [.. lines.Take(lines.Length - 1).Select(line =>
        {
            var parts = line.Split(' ', 3);
            Assert.Equal("ack", parts[0]);
            return (ulong.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
        })];
    }

    private static Thread Drain(StreamReader reader, StringBuilder into)
    {
        var thread = new Thread(() =>
        {
            var buffer = new char[64 * 1024];
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                into.Append(buffer, 0, read);
            }
        });
        thread.Start();
        return thread;
    }
}
