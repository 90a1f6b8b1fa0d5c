using BenchmarkDotNet.Running;

// Run all suites:   dotnet run -c Release --project bench/Tracemark.Benchmarks -- --filter '*'
// Run one suite:    dotnet run -c Release --project bench/Tracemark.Benchmarks -- --filter '*Merkle*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
