using HdrUp.Models.Inference;
using HdrUp.Models.Precision;

namespace HdrUp.Bench.Tests;

/// <summary>bench speed's roofline: rows read against their own path's ceiling, the machine's units named, and the "what stops
/// the targets" numbers, all on a synthetic report (no timing).</summary>
public class SpeedBenchTests
{
    // Synthetic ceilings, far enough apart that a row read against the wrong one gives another ratio.
    private static readonly ConvCeilingResult[] Ceilings =
    [
        new("libtorch fp32", "conv 64→64 3×3", 100, 10),
        new("libtorch bf16", "conv 64→64 3×3", 180, 10),
        new("ONNX Runtime fp32", "conv 64→64 3×3", 150, 10),
        new("ONNX Runtime int8", "conv 64→64 3×3", 500, 10),
    ];

    // 1 MFLOP per pixel on a 1000×1000 frame in 10 s: 100 GFLOP/s on every path, a different share of each ceiling.
    [Theory]
    [InlineData(InferenceBackend.Torch, NumericPrecision.Fp32, 1.0)]
    [InlineData(InferenceBackend.Torch, NumericPrecision.Bf16, 100.0 / 180)]
    [InlineData(InferenceBackend.Onnx, NumericPrecision.Fp32, 100.0 / 150)]
    [InlineData(InferenceBackend.Onnx, NumericPrecision.Int8, 100.0 / 500)]
    public void A_network_row_is_read_against_the_ceiling_of_its_own_backend_and_precision(InferenceBackend backend, NumericPrecision precision, double share)
    {
        var path = new InferencePath(backend, precision);
        var row = SpeedBench.NetworkRow($"net ({path.Name})", "net", "1000p", 1, 10.0, 1000, 1000, 1e6, path, Ceilings, "");
        Assert.Equal(100, row.GflopPerSecond!.Value, 9);
        Assert.Equal(0.1, row.MegapixelsPerSecond, 12);
        Assert.Equal(share, row.RatioToConvCeiling!.Value, 12);
        Assert.Equal(path.Name, row.Against);
        Assert.Equal(100 / share, row.CeilingGflops!.Value, 9);
    }

    [Fact]
    public void A_row_whose_path_had_no_ceiling_in_the_run_has_no_share()
    {
        var row = SpeedBench.NetworkRow("net", "net", "1000p", 1, 10.0, 1000, 1000, 1e6, InferencePath.OnnxInt8, Ceilings[..1], "");
        Assert.Null(row.RatioToConvCeiling);
    }

    // The probe keeps every sample: a row's ceiling is the median of the samples next to it, the run's the fastest of all.
    [Fact]
    public void The_ceiling_probe_pools_its_samples_per_path()
    {
        using var probe = SpeedBench.CeilingProbe.Create([InferencePath.TorchFp32, InferencePath.OnnxFp32], threads: 1);
        var first = probe.Sample(2);
        var second = probe.Sample(3);
        var onnxOnly = probe.Sample(probe.IndexOf(InferencePath.OnnxFp32), 4);
        Assert.Equal([2, 2], first.Select(t => t.Count));
        Assert.Equal(4, onnxOnly.Count);
        Assert.Equal([5, 9], probe.AllSamples.Select(t => t.Count));
        var around = probe.Results(first, second);
        Assert.Equal(["libtorch fp32", "ONNX Runtime fp32"], around.Select(c => c.Path));
        Assert.All(around, c => Assert.Equal(5, c.Repeats));
        double median = first[1].Concat(second[1]).Order().ElementAt(2);
        Assert.Equal(ConvCase.Default.Flops / median / 1e9, around[1].Gflops, 9);
        var best = probe.Best();
        Assert.Equal(9, best[1].Repeats);
        Assert.Equal(ConvCase.Default.Flops / probe.AllSamples[1].Min() / 1e9, best[1].Gflops, 9);
        Assert.Throws<ArgumentException>(() => probe.IndexOf(InferencePath.OnnxInt8));
    }

    [Fact]
    public void The_machine_line_names_each_bf16_and_int8_unit_present_or_absent()
    {
        var cpu = Models.Precision.CpuFeatures.Parse("model name\t: Test CPU\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n");
        string machine = SpeedBench.MachineDescription(cpu);
        Assert.StartsWith("Test CPU; ", machine);
        foreach (string unit in new[] { "AMX-BF16 no", "AMX-INT8 no", "AVX512-BF16 yes", "AVX512-VNNI yes", "AVX-VNNI no", "AVX-512F yes", "AVX2 yes", "int8 weights 8-bit" })
            Assert.Contains(unit, machine);
        var avx2 = Models.Precision.CpuFeatures.Parse("model name\t: Old CPU\nflags\t\t: fpu avx2\n");
        Assert.Contains("AVX512-VNNI no, AVX-VNNI no, AVX-512F no, AVX2 yes, int8 weights 7-bit", SpeedBench.MachineDescription(avx2));
    }

    // The numbers the section must show, from the synthetic report: KPNet 1.12 MFLOP/px × 1920×1080 = 2322.4 GFLOP a frame;
    // at 100 / 180 / 150 / 500 GFLOP/s that is 23.22 / 12.90 / 15.48 / 4.64 s, against 5 s, so only int8 reaches it
    // (needs 464.5 GFLOP/s). Fast model 0.066 MFLOP/px: 136.9 GFLOP, 1.37 / 0.76 / 0.91 / 0.27 s against 0.5 s (needs 273.7).
    // Training: bf16 ÷ fp32 = 1.80 < 2.
    [Fact]
    public void What_stops_the_targets_divides_each_frame_by_each_ceiling()
    {
        var measured = SpeedBench.NetworkRow("kpnet (ONNX Runtime int8)", "kpnet", "1080p", 1, 9.2886, 1920, 1080, 1.12e6, InferencePath.OnnxInt8, Ceilings, "");
        var report = Report([measured]);
        string section = SpeedBench.WhatStopsTheTargets(report);
        string[] lines = section.Split('\n');
        string Line(string target, string path) => Assert.Single(lines, l => l.StartsWith($"| {target}", StringComparison.Ordinal) && l.Contains($"| {path} |"));

        string kpnetFp32 = Line("full KPNet", "libtorch fp32");
        Assert.Contains("| 2322.4 | 100.0 | 23.22 | 464.5 | no: 4.6× the target | not run |", kpnetFp32);
        Assert.Contains("| 12.90 |", Line("full KPNet", "libtorch bf16"));
        Assert.Contains("| 15.48 |", Line("full KPNet", "ONNX Runtime fp32"));
        string kpnetInt8 = Line("full KPNet", "ONNX Runtime int8");
        Assert.Contains("| 4.64 | 464.5 | yes, at ≥ 93 % of the ceiling |", kpnetInt8);
        Assert.EndsWith("| 9.29 (50 %) |", kpnetInt8.TrimEnd());   // 2322.4 GFLOP in 9.29 s = 250 GFLOP/s, half of 500

        Assert.Contains("| 136.9 | 100.0 | 1.37 | 273.7 | no: 2.7× the target |", Line("fast model", "libtorch fp32"));
        Assert.Contains("| 0.27 | 273.7 | yes, at ≥ 55 % of the ceiling |", Line("fast model", "ONNX Runtime int8"));
        Assert.Contains("reachable only for kpnet on ONNX Runtime int8, kpnet-half-nf32 on ONNX Runtime int8;", section);
        Assert.Contains("1.80× in this run", section);
        Assert.Contains("the target is out of reach", section);
    }

    [Fact]
    public void A_bf16_ceiling_twice_fp32_leaves_the_training_target_open_and_a_run_without_one_does_not_judge_it()
    {
        var twice = Report([]) with { Ceilings = [Ceilings[0], Ceilings[1] with { Gflops = 250 }] };
        Assert.Contains("2.50× in this run", SpeedBench.WhatStopsTheTargets(twice));
        Assert.Contains("The convolutions allow the target.", SpeedBench.WhatStopsTheTargets(twice));
        var fp32Only = Report([]) with { Ceilings = [Ceilings[0]] };
        string section = SpeedBench.WhatStopsTheTargets(fp32Only);
        Assert.Contains("not judged", section);
        Assert.Contains("on none of the paths measured", section);   // 23.2 s and 1.37 s at 100 GFLOP/s
    }

    [Fact]
    public void The_markdown_states_every_ceiling_and_each_rows_path()
    {
        var row = SpeedBench.NetworkRow("kpnet (libtorch bf16)", "kpnet", "540p", 1, 4.0, 960, 540, 1.12e6, InferencePath.TorchBf16, Ceilings, "note");
        var (json, markdown) = SpeedBench.Render(Report([row]));
        Assert.Contains("libtorch fp32 100.0 GFLOP/s; libtorch bf16 180.0 GFLOP/s (1.80× libtorch fp32); ONNX Runtime fp32 150.0 GFLOP/s (1.50× libtorch fp32); ONNX Runtime int8 500.0 GFLOP/s (5.00× libtorch fp32)", markdown);
        // 1.12e6 × 960 × 540 / 4 s = 145.2 GFLOP/s, 81 % of the bf16 ceiling (it would be 145 % of fp32's).
        Assert.Contains("| kpnet (libtorch bf16) | 540p | 1 | 4.000 | 0.130 | 145.2 | 81 % | libtorch bf16 (180.0) | note |", markdown);
        Assert.Contains("## What stops the targets", markdown);
        Assert.Contains("\"against\": \"libtorch bf16\"", json);
    }

    private static SpeedReport Report(IReadOnlyList<SpeedRow> rows) =>
        new("2026-01-01 00:00 UTC", "Test CPU", 2, Ceilings, rows, 1L << 30,
            Networks: [new NetworkCost("kpnet", 1.12e6), new NetworkCost("kpnet-half-nf32", 0.066e6)]);
}
