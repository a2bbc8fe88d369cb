using BenchmarkDotNet.Running;
using HdrUp.Benchmarks;

// nice -n 15 dotnet run -c Release --project bench/HdrUp.Benchmarks -- --filter '*'
// Subsets by BenchmarkDotNet's glob on Namespace.Class.Method: --filter '*Conv*' (the ceilings), '*Colour*', '*Metric*';
// --list flat names every benchmark. The summaries go to BenchmarkDotNet.Artifacts/results in the working folder.
BenchmarkSwitcher.FromAssembly(typeof(RooflineConfig).Assembly).Run(args, new RooflineConfig());
