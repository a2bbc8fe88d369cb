using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using HdrUp.Conversion;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Metrics;
using HdrUp.Models;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Bench;

/// <summary>One timed case: what ran, at which size, the median seconds and derived rates.</summary>
public sealed record SpeedRow(string Case, string Size, int Repeats, double MedianSeconds, double MegapixelsPerSecond,
    double? GflopPerSecond, double? RatioToConvCeiling, string Note);

/// <summary>One model at one size through libtorch fp32 and one alternative (ONNX Runtime with <c>--onnx</c>, libtorch
/// bf16 with <c>--bf16</c>, ONNX Runtime int8 with <c>--int8</c>): medians of interleaved runs on the same frame,
/// alternative / libtorch fp32 time (below 1 = the alternative is faster), alternative / ONNX Runtime fp32 time where that
/// ran too, and the output's largest absolute difference and PSNR (peak 1) against libtorch fp32's.</summary>
public sealed record BackendComparison(string Model, string Size, string Alternative, int Repeats, double TorchSharpSeconds,
    double AlternativeSeconds, double RatioToTorchSharp, double MaxAbsDifference, double? RatioToOnnxFp32 = null, double PsnrToFp32 = double.NaN);

/// <summary>The report <c>hdrup bench speed</c> writes; <paramref name="Alternatives"/> only with <c>--onnx</c>, <c>--bf16</c>
/// or <c>--int8</c>; <paramref name="Load"/> is /proc/loadavg at the start and the end of the run.</summary>
public sealed record SpeedReport(string Date, string Machine, int Threads, double ConvCeilingGflops,
    IReadOnlyList<SpeedRow> Rows, long PeakResidentBytes, IReadOnlyList<BackendComparison>? Alternatives = null,
    double? ConvCeilingBf16Gflops = null, string? Int8Calibration = null, string? Load = null);

/// <summary>
/// Measures, in one run and with one thread count: a single 64→64 3×3 convolution (the machine's
/// practical ceiling), each network at several frame sizes (in the tiles convert picks under the default memory budget), and the quality
/// metrics at 1080p. Timings are medians over repeats and reported as rates and ratios to the
/// ceiling measured in the same run, because this machine is shared and absolute times drift.
/// With <c>onnx</c>, every network that <see cref="OnnxExport"/> supports also runs through ONNX Runtime on the
/// same frame with the same thread count, padding and tiling, its runs interleaved with TorchSharp's so that both see
/// the same load. With <c>bf16</c>, the same for libtorch in bfloat16 (a second copy of the network with the same weights,
/// converted), against a bf16 convolution ceiling measured the same way. With <c>int8</c>, ONNX Runtime on the int8 graph
/// (<see cref="OnnxInt8"/>, calibrated on <see cref="CalibrationFrames.SamplePath"/>'s frames before timing) beside ONNX
/// Runtime fp32. The networks have random weights: the output differences say how far each path strays from libtorch fp32 on
/// them, not what it costs a trained model (that is <c>hdrup bench quality</c>'s NAME=FILE@int8).
/// </summary>
public static class SpeedBench
{
    public static readonly (string Name, int Width, int Height)[] Sizes =
        [("540p", 960, 540), ("1080p", 1920, 1080), ("2160p", 3840, 2160)];

    public static SpeedReport Run(IReadOnlyList<string> models, IReadOnlyList<string> sizes, int repeats, int threads,
        Action<string> log, CancellationToken cancellationToken, bool onnx = false, bool bf16 = false, bool int8 = false)
    {
        torch.set_num_threads(threads);
        string loadBefore = MachineLoad.Describe();
        onnx |= int8;   // int8 is judged against ONNX Runtime fp32, so that runs too
        CalibrationSet? calibration = int8 ? CalibrationFrames.FromClip(CalibrationFrames.SamplePath, cancellationToken: cancellationToken) : null;
        if (calibration is not null) log($"int8 graphs calibrated on {calibration.Description}");
        var rows = new List<SpeedRow>();
        var comparisons = new List<BackendComparison>();

        double ceiling = ConvCeiling(repeats, log);
        rows.Add(new SpeedRow("conv 64→64 3×3", "1×64×256×256", repeats, double.NaN, double.NaN, ceiling, 1.0, "ceiling"));
        double? ceilingBf16 = bf16 ? ConvCeiling(repeats, log, ScalarType.BFloat16) : null;
        if (ceilingBf16 is double cb)
            rows.Add(new SpeedRow("conv 64→64 3×3 (bf16)", "1×64×256×256", repeats, double.NaN, double.NaN, cb, cb / ceiling, "bf16 ceiling; of-ceiling column = bf16/fp32"));

        foreach (string model in models)
        {
            using HdrNetwork network = ArchRegistry.Create(model);
            double flopsPerPixel = ConvFlops.PerPixel(network);
            log($"{model}: {flopsPerPixel / 1e6:F3} MFLOP per pixel (convolutions)");
            bool withOnnx = onnx && OnnxExport.CanExport(network);
            if (onnx && !withOnnx) log($"{model}: no ONNX Runtime run (the exporter covers the KPNet family only)");
            // bf16 converts its network in place: a second copy with the same weights, so outputs are comparable.
            using HdrNetwork? networkBf16 = bf16 ? ArchRegistry.Create(model) : null;
            networkBf16?.load_state_dict(network.state_dict());
            foreach (var (name, width, height) in Sizes.Where(s => sizes.Contains(s.Name)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The tiles convert picks by default for this model on its default backend, so the times are what users wait.
                int tile = MappingFactory.TileFor(width, height, PeakMemoryModel.For(model, InferenceOptions.Fastest(network)),
                    MemoryBudget.Default(), network.SizeMultiple).Tile;
                var options = new InferenceOptions { Threads = threads, TileSize = tile };
                using var engine = new FrameInference(network, options);
                var alternatives = new List<(string Name, FrameInference Engine, double Ceiling)>();
                if (withOnnx) alternatives.Add((OnnxFp32Name, new FrameInference(network, options with { Backend = InferenceBackend.Onnx }), ceiling));
                if (networkBf16 is not null) alternatives.Add(("libtorch bf16", new FrameInference(networkBf16, options with { Precision = NumericPrecision.Bf16 }), ceilingBf16!.Value));
                if (withOnnx && calibration is not null)
                    alternatives.Add((OnnxInt8Name, new FrameInference(network, options with { Backend = InferenceBackend.Onnx, Precision = NumericPrecision.Int8, Calibration = calibration }), ceiling));
                var input = SyntheticFrame(width, height);
                var output = new float[input.Length];
                var outputs = alternatives.Select(_ => new float[input.Length]).ToArray();
                int n = tile > 0 ? 1 : repeats;
                double[] medians = InterleavedMedians(n, [() => engine.Run(input, output, width, height),
                    .. alternatives.Select((a, i) => (Action)(() => a.Engine.Run(input, outputs[i], width, height)))]);
                double median = medians[0];
                double megapixels = width * (double)height / 1e6;
                double gflops = flopsPerPixel * width * height / median / 1e9;
                rows.Add(new SpeedRow(model, name, n, median, megapixels / median, gflops, gflops / ceiling,
                    $"{flopsPerPixel / 1e6:F3} MFLOP/px; " + (tile > 0 ? $"tiles {tile}+{InferenceOptions.DefaultTileOverlap}" : "whole frame")));
                log($"{model} {name}: {median:F2} s/frame, {gflops:F1} GFLOP/s ({gflops / ceiling:P0} of the conv ceiling)");
                int onnxIndex = alternatives.FindIndex(a => a.Name == OnnxFp32Name);
                for (int i = 0; i < alternatives.Count; i++)
                {
                    var (alternative, altEngine, altCeiling) = alternatives[i];
                    altEngine.Dispose();
                    double? toOnnx = onnxIndex >= 0 && onnxIndex != i ? medians[i + 1] / medians[onnxIndex + 1] : null;
                    var c = new BackendComparison(model, name, alternative, n, median, medians[i + 1], medians[i + 1] / median,
                        MaxAbsDifference(output, outputs[i]), toOnnx, Psnr.Compute(new RgbPlanarFrame(width, height, outputs[i]), new RgbPlanarFrame(width, height, output)));
                    comparisons.Add(c);
                    double altGflops = flopsPerPixel * width * height / c.AlternativeSeconds / 1e9;
                    string versusOnnx = toOnnx is double v ? $", {v:F3}× ONNX Runtime fp32" : "";
                    rows.Add(new SpeedRow($"{model} ({alternative})", name, n, c.AlternativeSeconds, megapixels / c.AlternativeSeconds, altGflops,
                        altGflops / altCeiling, $"{c.RatioToTorchSharp:F3}× the libtorch fp32 time{versusOnnx}; max |Δ| {c.MaxAbsDifference:E1}, {c.PsnrToFp32:F1} dB"));
                    log($"{model} {name} {alternative}: {c.AlternativeSeconds:F2} s/frame, {c.RatioToTorchSharp:F3}× libtorch fp32{versusOnnx}, max |Δ| {c.MaxAbsDifference:E1}, PSNR {c.PsnrToFp32:F1} dB");
                }
            }
        }

        // Training throughput: the CPU recipe's step (crop 64, batch 4, L1, Adam) on random tensors, so data loading
        // (a background thread in the trainer) is left out and the number is the network's training cost.
        foreach (string model in models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using HdrNetwork network = ArchRegistry.Create(model);
            network.train();
            using var adam = torch.optim.Adam(network.parameters(), 2e-4, 0.9, 0.99);
            using var lq = torch.rand(4, 3, 64, 64);
            using var target = torch.rand(4, 3, 64, 64);
            double step = Median(repeats + 2, () =>
            {
                using var scope = torch.NewDisposeScope();
                var loss = nn.functional.l1_loss(network.call(lq), target);
                adam.zero_grad();
                loss.backward();
                adam.step();
            });
            rows.Add(new SpeedRow($"train {model}", "4×3×64×64", repeats + 2, step, 4 * 64 * 64 / 1e6 / step, null, null,
                $"{1 / step:F2} it/s (forward, backward, Adam)"));
            log($"train {model}: {1 / step:F2} it/s at crop 64, batch 4");
        }

        var (pred, gt) = (RandomFrame(1920, 1080, 1), RandomFrame(1920, 1080, 2));
        foreach (var (name, action) in new (string, Action)[]
        {
            ("PSNR/MSE", () => Psnr.Compute(pred, gt)),
            ("SSIM standard", () => Ssim.Compute(pred, gt, SsimMode.Standard)),
            ("SSIM paper", () => Ssim.Compute(pred, gt, SsimMode.Paper)),
            ("ΔE_ITP", () => DeltaEItp.Compute(pred, gt)),
        })
        {
            double median = Median(repeats, action);
            rows.Add(new SpeedRow($"metric {name}", "1080p", repeats, median, 1920 * 1080 / 1e6 / median, null, null, "one frame pair"));
            log($"metric {name}: {median * 1000:F0} ms per 1080p pair");
        }

        return new SpeedReport(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            MachineDescription(), threads, ceiling, rows, ProcessMemory.PeakResidentBytes(), onnx || bf16 ? comparisons : null, ceilingBf16,
            calibration?.Description, $"{loadBefore} at the start, {MachineLoad.Describe()} at the end");
    }

    private const string OnnxFp32Name = "ONNX Runtime", OnnxInt8Name = "ONNX Runtime int8";


    /// <summary>One untimed warm-up of each, then <paramref name="repeats"/> alternating timed runs of a and b, so that
    /// load from other processes falls on both alike; the median of each.</summary>
    /// <summary>Medians of the actions run in turn, repeat after repeat, so that all of them see the same machine load.</summary>
    private static double[] InterleavedMedians(int repeats, Action[] actions)
    {
        foreach (var action in actions) action();
        var times = actions.Select(_ => new double[Math.Max(1, repeats)]).ToArray();
        for (int i = 0; i < times[0].Length; i++)
            for (int a = 0; a < actions.Length; a++)
            {
                var clock = Stopwatch.StartNew();
                actions[a]();
                times[a][i] = clock.Elapsed.TotalSeconds;
            }
        return times.Select(t => { Array.Sort(t); return t[t.Length / 2]; }).ToArray();
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    public static double ConvCeiling(int repeats, Action<string> log, ScalarType type = ScalarType.Float32)
    {
        using var conv = nn.Conv2d(64, 64, 3, padding: 1);
        conv.to(type);
        using var input = randn(1, 64, 256, 256).to(type);
        using var inference = inference_mode();
        double median = Median(repeats + 1, () => { using var _ = conv.call(input); });
        double gflops = 2.0 * 64 * 64 * 9 * 256 * 256 / median / 1e9;
        log($"conv 64→64 3×3 on 1×64×256×256 ({(type == ScalarType.Float32 ? "fp32" : type.ToString())}): {gflops:F1} GFLOP/s");
        return gflops;
    }

    /// <summary>Smooth gradients plus edges: a frame with the statistics of a picture, not of noise.</summary>
    internal static float[] SyntheticFrame(int width, int height)
    {
        var data = new float[3 * width * height];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = 0.5 + 0.35 * Math.Sin((x * (c + 1) + y * 0.7) / 97.0) * Math.Cos(y / 61.0);
                    if (((x / 120) + (y / 90)) % 5 == 0) v = 0.95;
                    data[(c * height + y) * width + x] = (float)v;
                }
        return data;
    }

    private static RgbPlanarFrame RandomFrame(int width, int height, int seed)
    {
        var random = new Random(seed);
        var frame = new RgbPlanarFrame(width, height);
        for (int i = 0; i < frame.Data.Length; i++) frame.Data[i] = (float)(0.3 + 0.4 * random.NextDouble());
        return frame;
    }

    /// <summary>One untimed warm-up, then the median of <paramref name="repeats"/> timed runs.</summary>
    private static double Median(int repeats, Action action)
    {
        action();
        var times = new double[Math.Max(1, repeats)];
        for (int i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    public static string MachineDescription()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        return $"{cpu}; {Environment.ProcessorCount} logical cores; {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB; " +
               $"{RuntimeInformation.OSDescription}; .NET {Environment.Version}; libtorch via TorchSharp";
    }

    public static (string Json, string Markdown) Render(SpeedReport report)
    {
        string json = JsonSerializer.Serialize(report, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"# hdrup bench speed — {report.Date}");
        md.AppendLine();
        string load = report.Load is { } l ? $" Machine load (1, 5, 15 min): {l}." : "";
        md.AppendLine(inv, $"Machine: {report.Machine}. Threads: {report.Threads}. Peak resident memory: {report.PeakResidentBytes / (1 << 20)} MiB.{load}");
        md.AppendLine(inv, $"Ceiling: one 64→64 3×3 convolution on 1×64×256×256 at {report.ConvCeilingGflops:F1} GFLOP/s in this run.");
        md.AppendLine();
        md.AppendLine("| case | size | repeats | median s | Mpx/s | GFLOP/s | of ceiling | note |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in report.Rows)
        {
            string F(double? v, string format) => v is double d && double.IsFinite(d) ? d.ToString(format, inv) : "";
            md.AppendLine(inv, $"| {r.Case} | {r.Size} | {r.Repeats} | {F(r.MedianSeconds, "F3")} | {F(r.MegapixelsPerSecond, "F3")} | {F(r.GflopPerSecond, "F1")} | {F(r.RatioToConvCeiling, "P0")} | {r.Note} |");
        }
        if (report.Alternatives is { } comparisons)
        {
            md.AppendLine();
            md.AppendLine("## Other backends and precisions against libtorch fp32");
            md.AppendLine();
            string bf16Ceiling = report.ConvCeilingBf16Gflops is double cb
                ? string.Format(inv, " bf16 convolution ceiling {0:F1} GFLOP/s ({1:F2}× fp32).", cb, cb / report.ConvCeilingGflops) : "";
            string calibrated = report.Int8Calibration is { } frames ? $" int8 graphs calibrated on {frames}." : "";
            md.AppendLine(inv, $"Same frame, {report.Threads} thread(s) each, runs interleaved; ratio below 1 = the alternative is faster. All run through the same padding and tiling (FrameInference; the tiles are in the note column above).{bf16Ceiling}{calibrated} Differences and PSNR (peak 1) are against libtorch fp32's output, with the random weights of this bench.");
            md.AppendLine();
            md.AppendLine("| model | size | alternative | repeats | libtorch fp32 s | alternative s | alternative / fp32 | alternative / ONNX fp32 | max abs difference | PSNR vs fp32 dB |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in comparisons)
                md.AppendLine(inv, $"| {c.Model} | {c.Size} | {c.Alternative} | {c.Repeats} | {c.TorchSharpSeconds:F3} | {c.AlternativeSeconds:F3} | {c.RatioToTorchSharp:F3} | {(c.RatioToOnnxFp32 is double o ? o.ToString("F3", inv) : "")} | {c.MaxAbsDifference:E2} | {c.PsnrToFp32:F1} |");
        }
        return (json, md.ToString());
    }
}
