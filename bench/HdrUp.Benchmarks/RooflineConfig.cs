using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HdrUp.Models.Inference;
using HdrUp.Models.Precision;

namespace HdrUp.Benchmarks;

/// <summary>
/// One short job for every benchmark, so that the whole suite takes a few minutes on two cores: one launch, two warm-up and five
/// measured iterations of at least 250 ms each. Rates next to the times: GFLOP/s for the convolution ceilings, Mpx/s for the
/// colour kernels and metrics, both from the median (the machine is shared; a median moves less than a mean under other load).
/// </summary>
public sealed class RooflineConfig : ManualConfig
{
    public RooflineConfig()
    {
        AddJob(Job.Default
            .WithId("Short")
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            // In process. BenchmarkDotNet's default toolchain builds a generated project into a folder of its own and runs the
            // benchmarks there, in a child process; on this Debian 12 that child fails to load TorchSharp's native bridge
            // ("Failed to load native component LibTorchSharp", then the misleading "doesn't contain a reference to
            // libtorch-cpu-linux-x64": the symptom Directory.Build.targets' GLIBCXX_3.4.32 step exists to prevent), after a
            // 73-second build into a second output folder. In process the benchmarks run in this program, whose build
            // output went through that step, as hdrup's and the tests' do. What is lost is a fresh process per benchmark,
            // which matters little for operations of milliseconds to a second.
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(10), logOutput: true)));
        // Without bf16 units libtorch emulates bf16 at a few hundredths of fp32's rate (0.3 against 119 GFLOP/s on an AVX2
        // EPYC, 16 s an operation): the ceiling would take minutes and say only that, which bench speed --bf16 reports.
        if (!CpuFeatures.Current.HasBf16)
            AddFilter(new SimpleFilter(c => c.Descriptor.WorkloadMethod.Name != nameof(ConvCeilingBenchmarks.LibtorchBf16)));
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddColumn(StatisticColumn.Median);
        AddColumn(new RateColumn("GFLOP/s", "FLOPs of one convolution (2·Cin·Cout·9·H·W) ÷ median time; int8 operations counted as FLOPs",
            c => c.Descriptor.Type == typeof(ConvCeilingBenchmarks) ? ConvCase.Default.Flops : null, 1e9));
        AddColumn(new RateColumn("Mpx/s", "Pixels of the frame ÷ median time",
            c => c.Descriptor.Type.GetCustomAttribute<FramePixelsAttribute>()?.Pixels, 1e6));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));
    }
}

/// <summary>The frame a colour or metric benchmark processes per operation, for the Mpx/s column.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class FramePixelsAttribute(int width, int height) : Attribute
{
    public double Pixels => width * (double)height;
}

/// <summary>A rate column: work per operation (from the benchmark's class) ÷ the median time, in <paramref name="unit"/>s per second;
/// empty for benchmarks without that kind of work.</summary>
internal sealed class RateColumn(string name, string legend, Func<BenchmarkCase, double?> workPerOperation, double unit) : IColumn
{
    public string Id => $"{nameof(RateColumn)}.{name}";
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? work = workPerOperation(benchmarkCase);
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (work is null || statistics is null || !(statistics.Median > 0)) return "-";
        return (work.Value / (statistics.Median * 1e-9) / unit).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => workPerOperation(c) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
