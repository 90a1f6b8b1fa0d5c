using BenchmarkDotNet.Running;

// Run all suites:   dotnet run -c Release --project bench/Tracemark.Benchmarks -- --filter '*'
// Run one suite:    dotnet run -c Release --project bench/Tracemark.Benchmarks -- --filter '*Merkle*'
// Screening peers:  bench/screening-peers.sh (uses `-- throughput …`, see Screening/Throughput.cs)
if (args is ["throughput", .. var rest])
{
    return Tracemark.Benchmarks.Screening.Throughput.Run(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
