using System.Globalization;
using System.Text;
using Tracemark.Ledger;

// Appends leaves to the ledger in the folder given, from several concurrent writers, until it is killed, and
// prints "ack <index> <leaf>" for each leaf once its append has completed (is durable). The crash test kills this
// process with SIGKILL at random moments and then checks every acknowledged leaf against the log.
//   usage: Tracemark.Ledger.CrashWriter <folder> <round>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Tracemark.Ledger.CrashWriter <folder> <round>");
    return 2;
}

var round = args[1];
await using var log = LedgerLog.Open(args[0], new LedgerLogOptions { CheckpointInterval = 700, MaxBatchLeaves = 256 });
using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
var gate = new object();
await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
{
    var random = new Random();
    for (var sequence = 0; ; sequence++)
    {
        var leaves = Enumerable.Range(0, random.Next(1, 24))
            .Select(item => string.Create(CultureInfo.InvariantCulture, $"round {round} writer {writer} append {sequence} leaf {item} {new string('x', random.Next(0, 200))}"))
            .ToList();
        var first = await log.AppendAsync([.. leaves.Select(l => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(l))]);
        lock (gate)
        {
            for (var i = 0; i < leaves.Count; i++)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {first + (ulong)i} {leaves[i]}"));
            }
        }
    }
})));
return 0;
