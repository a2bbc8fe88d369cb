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
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;
using ConvCeilingRun = HdrUp.Models.Inference.ConvCeiling;

namespace HdrUp.Bench;

/// <summary>One timed case: what ran, at which size, the median seconds and derived rates. <paramref name="Against"/> names the
/// inference path (<see cref="InferencePath.Name"/>) whose convolution ceiling <paramref name="RatioToConvCeiling"/> is measured
/// against, the network's own backend and precision, and <paramref name="CeilingGflops"/> is that ceiling as measured around
/// the row's runs. GFLOP/s count the frame's convolutions (<see cref="ConvFlops"/>), not the
/// extra pixels of overlapping tiles, so seconds = frame FLOPs ÷ (ratio × ceiling).</summary>
public sealed record SpeedRow(string Case, string Size, int Repeats, double MedianSeconds, double MegapixelsPerSecond,
    double? GflopPerSecond, double? RatioToConvCeiling, string Note, string? Against = null, double? CeilingGflops = null);

/// <summary>The convolution ceiling of one inference path: <see cref="ConvCeiling"/>'s convolution, FLOPs over the median of
/// <paramref name="Repeats"/> runs interleaved with the other paths' (int8 operations are counted as the fp32 FLOPs are).</summary>
public sealed record ConvCeilingResult(string Path, string Case, double Gflops, int Repeats);

/// <summary>FLOP per frame pixel of a network's convolutions (<see cref="ConvFlops.PerPixel"/>).</summary>
public sealed record NetworkCost(string Model, double FlopsPerPixel);

/// <summary>One model at one size through libtorch fp32 and one alternative (ONNX Runtime with <c>--onnx</c>, libtorch
/// bf16 with <c>--bf16</c>, ONNX Runtime int8 with <c>--int8</c>): medians of interleaved runs on the same frame,
/// alternative / libtorch fp32 time (below 1 = the alternative is faster), alternative / ONNX Runtime fp32 time where that
/// ran too, and the output's largest absolute difference and PSNR (peak 1) against libtorch fp32's.</summary>
public sealed record BackendComparison(string Model, string Size, string Alternative, int Repeats, double TorchSharpSeconds,
    double AlternativeSeconds, double RatioToTorchSharp, double MaxAbsDifference, double? RatioToOnnxFp32 = null, double PsnrToFp32 = double.NaN);

/// <summary>The report <c>hdrup bench speed</c> writes; <paramref name="Alternatives"/> only with <c>--onnx</c>, <c>--bf16</c>
/// or <c>--int8</c>; <paramref name="Load"/> is /proc/loadavg at the start and the end of the run. <paramref name="Ceilings"/>
/// holds one convolution ceiling per inference path that ran (libtorch fp32 always), from its fastest sample of the run;
/// <paramref name="Networks"/> the FLOP
/// counts of the models timed and of the issue's target models, which "what stops the targets" divides by the ceilings.</summary>
public sealed record SpeedReport(string Date, string Machine, int Threads, IReadOnlyList<ConvCeilingResult> Ceilings,
    IReadOnlyList<SpeedRow> Rows, long PeakResidentBytes, IReadOnlyList<BackendComparison>? Alternatives = null,
    string? Int8Calibration = null, string? Load = null, IReadOnlyList<NetworkCost>? Networks = null)
{
    /// <summary>The ceiling of <paramref name="path"/> in GFLOP/s, or null if this run did not measure it.</summary>
    public double? CeilingOf(InferencePath path) => Ceilings.FirstOrDefault(c => c.Path == path.Name)?.Gflops;
}

/// <summary>One of issue #17's speed targets: <see cref="Model"/> at <see cref="Width"/>×<see cref="Height"/> in at most
/// <see cref="Seconds"/> per frame.</summary>
public sealed record SpeedTarget(string Description, string Model, string Size, int Width, int Height, double Seconds);

/// <summary>
/// Measures, in one run and with one thread count: a single 64→64 3×3 convolution on every inference path that runs
/// (<see cref="ConvCeilingRun"/>: the machine's practical ceiling for that backend and precision), each network at several frame
/// sizes (in the tiles convert picks under the default memory budget), and the quality metrics at 1080p. Timings are medians
/// over repeats and reported as rates and as ratios to the ceiling of the path the network ran on, measured in the same run,
/// because this machine is shared and absolute times drift; the report ends with what those ceilings allow issue #17's targets.
/// With <c>onnx</c>, every network that <see cref="OnnxExport"/> supports also runs through ONNX Runtime on the
/// same frame with the same thread count, padding and tiling, its runs interleaved with TorchSharp's so that both see
/// the same load. With <c>bf16</c>, the same for libtorch in bfloat16 (a second copy of the network with the same weights,
/// converted). With <c>int8</c>, ONNX Runtime on the int8 graph
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

        // One ceiling per path the networks run on below, so each network row is read against its own backend and precision.
        var paths = new List<InferencePath> { InferencePath.TorchFp32 };
        if (bf16) paths.Add(InferencePath.TorchBf16);
        // Without bf16 units libtorch emulates bf16 convolutions, hundreds of times slower than fp32 (an AVX2 EPYC: 0.3
        // against 119 GFLOP/s, 53 s for a 540p frame of the smallest network): one ceiling sample shows it, and no network
        // runs in bf16.
        bool emulatedBf16 = bf16 && !CpuFeatures.Current.HasBf16;
        if (emulatedBf16) log("libtorch bf16: this CPU has no bf16 units (AVX512-BF16, AMX-BF16), so bf16 is emulated; one ceiling sample, no network runs");
        if (onnx) paths.Add(InferencePath.OnnxFp32);
        if (int8) paths.Add(InferencePath.OnnxInt8);
        // Sampled at the start and again just before and just after each timed network run: on a shared machine the load
        // changes within minutes, so each row is read against the ceiling measured next to its own runs (InterleavedMedians).
        using var probe = CeilingProbe.Create(paths, threads, once: emulatedBf16 ? [InferencePath.TorchBf16] : []);
        foreach (var c in probe.Results(probe.Sample(Math.Max(CeilingRepeats, repeats))))
            log($"{c.Case} on {ConvCase.Default.Shape} ({c.Path}): {c.Gflops:F1} GFLOP/s at the start");

        var costs = new List<NetworkCost>();
        foreach (string model in models)
        {
            using HdrNetwork network = ArchRegistry.Create(model);
            double flopsPerPixel = ConvFlops.PerPixel(network);
            costs.Add(new NetworkCost(model, flopsPerPixel));
            log($"{model}: {flopsPerPixel / 1e6:F3} MFLOP per pixel (convolutions)");
            bool withOnnx = onnx && OnnxExport.CanExport(network);
            if (onnx && !withOnnx) log($"{model}: no ONNX Runtime run (the exporter covers the KPNet family only)");
            // bf16 converts its network in place: a second copy with the same weights, so outputs are comparable.
            using HdrNetwork? networkBf16 = bf16 && !emulatedBf16 ? ArchRegistry.Create(model) : null;
            networkBf16?.load_state_dict(network.state_dict());
            foreach (var (name, width, height) in Sizes.Where(s => sizes.Contains(s.Name)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The tiles convert picks by default for this model on its default backend, so the times are what users wait.
                var tiles = MappingFactory.TileFor(width, height, PeakMemoryModel.For(model, InferenceOptions.Fastest(network)),
                    MemoryBudget.Default(), network.SizeMultiple);
                int tile = tiles.Tile;
                var options = new InferenceOptions { Threads = threads, TileSize = tile };
                using var engine = new FrameInference(network, options);
                var alternatives = new List<(InferencePath Path, FrameInference Engine)>();
                if (withOnnx) alternatives.Add((InferencePath.OnnxFp32, new FrameInference(network, options with { Backend = InferenceBackend.Onnx })));
                if (networkBf16 is not null) alternatives.Add((InferencePath.TorchBf16, new FrameInference(networkBf16, options with { Precision = NumericPrecision.Bf16 })));
                // int8 takes the tiles convert --precision int8 takes: its smaller activations fit larger ones (whole 1080p frames of KPNet).
                var int8Tiles = MappingFactory.TileFor(width, height, PeakMemoryModel.For(model, InferenceBackend.Onnx, NumericPrecision.Int8),
                    MemoryBudget.Default(), network.SizeMultiple);
                if (withOnnx && calibration is not null)
                    alternatives.Add((InferencePath.OnnxInt8, new FrameInference(network, options with { Backend = InferenceBackend.Onnx, Precision = NumericPrecision.Int8, Calibration = calibration, TileSize = int8Tiles.Tile })));
                var input = SyntheticFrame(width, height);
                var output = new float[input.Length];
                var outputs = alternatives.Select(_ => new float[input.Length]).ToArray();
                int n = tile > 0 ? 1 : repeats;
                var (medians, ceilings) = InterleavedMedians(n, [() => engine.Run(input, output, width, height),
                    .. alternatives.Select((a, i) => (Action)(() => a.Engine.Run(input, outputs[i], width, height)))],
                    [probe.IndexOf(InferencePath.TorchFp32), .. alternatives.Select(a => probe.IndexOf(a.Path))], probe);
                log($"{model} {name}: ceilings next to these runs " + string.Join(", ", ceilings.Select(c => $"{c.Path} {c.Gflops:F1}")) + " GFLOP/s");
                string Tiling(TilePlan plan) => plan.Tile > 0 ? $"tiles {plan.Tile}+{InferenceOptions.DefaultTileOverlap} ({plan.Count}, {plan.Work:F2}× the frame's pixels)" : "whole frame";
                string tiling = Tiling(tiles);
                var row = NetworkRow(model, model, name, n, medians[0], width, height, flopsPerPixel, InferencePath.TorchFp32, ceilings,
                    $"{flopsPerPixel / 1e6:F3} MFLOP/px; {tiling}");
                rows.Add(row);
                log($"{model} {name}: {row.MedianSeconds:F2} s/frame, {row.GflopPerSecond:F1} GFLOP/s ({row.RatioToConvCeiling:P0} of the libtorch fp32 ceiling)");
                int onnxIndex = alternatives.FindIndex(a => a.Path == InferencePath.OnnxFp32);
                for (int i = 0; i < alternatives.Count; i++)
                {
                    var (path, altEngine) = alternatives[i];
                    altEngine.Dispose();
                    string alternative = path.Name;
                    double? toOnnx = onnxIndex >= 0 && onnxIndex != i ? medians[i + 1] / medians[onnxIndex + 1] : null;
                    var c = new BackendComparison(model, name, alternative, n, medians[0], medians[i + 1], medians[i + 1] / medians[0],
                        MaxAbsDifference(output, outputs[i]), toOnnx, Psnr.Compute(new RgbPlanarFrame(width, height, outputs[i]), new RgbPlanarFrame(width, height, output)));
                    comparisons.Add(c);
                    string versusOnnx = toOnnx is double v ? $", {v:F3}× ONNX Runtime fp32" : "";
                    string ownTiling = path == InferencePath.OnnxInt8 && int8Tiles.Tile != tile ? $"; {Tiling(int8Tiles)}" : "";
                    var altRow = NetworkRow($"{model} ({alternative})", model, name, n, c.AlternativeSeconds, width, height, flopsPerPixel, path, ceilings,
                        $"{c.RatioToTorchSharp:F3}× the libtorch fp32 time{versusOnnx}; max |Δ| {c.MaxAbsDifference:E1}, {c.PsnrToFp32:F1} dB{ownTiling}");
                    rows.Add(altRow);
                    log($"{model} {name} {alternative}: {c.AlternativeSeconds:F2} s/frame, {altRow.RatioToConvCeiling:P0} of the {path.Name} ceiling, {c.RatioToTorchSharp:F3}× libtorch fp32{versusOnnx}, max |Δ| {c.MaxAbsDifference:E1}, PSNR {c.PsnrToFp32:F1} dB");
                }
            }
        }
        // The targets' models are costed even when not timed, so the report can always say what the ceilings allow them.
        foreach (string model in Targets.Select(t => t.Model).Distinct().Where(m => costs.All(c => c.Model != m)))
        {
            using HdrNetwork network = ArchRegistry.Create(model);
            costs.Add(new NetworkCost(model, ConvFlops.PerPixel(network)));
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

        // The run's ceilings, the table's first rows and what the targets are judged against: each path's fastest sample.
        var runCeilings = probe.Best();
        var medianCeilings = probe.Results(probe.AllSamples);
        rows.InsertRange(0, runCeilings.Select((c, p) => new SpeedRow($"{c.Case} ({c.Path})", ConvCase.Default.Shape, c.Repeats,
            ConvCase.Default.Flops / (c.Gflops * 1e9), double.NaN, c.Gflops, null,
            $"ceiling: fastest of the run's {c.Repeats} samples (their median {medianCeilings[p].Gflops:F1} GFLOP/s)"
            + (p == 0 ? "" : $"; {c.Gflops / runCeilings[0].Gflops:F2}× libtorch fp32's")
            + (emulatedBf16 && c.Path == InferencePath.TorchBf16.Name ? "; emulated (no bf16 units on this CPU): one sample, no network run in bf16" : ""),
            c.Path, c.Gflops)));
        return new SpeedReport(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            MachineDescription(), threads, runCeilings, rows, ProcessMemory.PeakResidentBytes(), onnx || bf16 ? comparisons : null,
            calibration?.Description, $"{loadBefore} at the start, {MachineLoad.Describe()} at the end", costs);
    }

    /// <summary>Issue #17's speed targets for inference: full KPNet at 1080p in at most 5 s a frame, the fast model
    /// (<c>kpnet-half-nf32</c>) at 1080p at 2 frames/s or more. Its third, training at least 2× fp32's it/s in bf16, is bounded
    /// by the ratio of the two libtorch ceilings (<see cref="TrainingSpeedupTarget"/>).</summary>
    public static readonly IReadOnlyList<SpeedTarget> Targets =
    [
        new("full KPNet, 1080p, ≤ 5 s/frame", "kpnet", "1080p", 1920, 1080, 5.0),
        new("fast model, 1080p, ≥ 2 frames/s", "kpnet-half-nf32", "1080p", 1920, 1080, 0.5),
    ];

    /// <summary>Training in bf16 at least this many times fp32's iterations per second (issue #17).</summary>
    public const double TrainingSpeedupTarget = 2.0;

    /// <summary>Timed runs of each ceiling at least: one convolution takes tens of milliseconds, so a median of ten costs
    /// about a second per path and is steadier on a shared machine than the networks' few repeats.</summary>
    public const int CeilingRepeats = 10;

    /// <summary>Ceiling runs just before and just after each timed network run, of the network's own path.</summary>
    public const int CeilingSamples = 5;

    /// <summary>The ceiling of each path (<see cref="ConvCeilingRun"/>), their runs interleaved so that all see the same load;
    /// in the order of <paramref name="paths"/>.</summary>
    public static IReadOnlyList<ConvCeilingResult> MeasureCeilings(IReadOnlyList<InferencePath> paths, int repeats, int threads, Action<string> log)
    {
        using var probe = CeilingProbe.Create(paths, threads);
        var results = probe.Results(probe.Sample(repeats));
        foreach (var r in results) log($"{r.Case} on {ConvCase.Default.Shape} ({r.Path}): {r.Gflops:F1} GFLOP/s");
        return results;
    }

    /// <summary>
    /// The ceilings of a run, prepared once (one untimed run each) and timed in samples of interleaved runs, one path after the
    /// other, so that all paths see the same load. Every sample is also kept for the run-wide ceilings. A ceiling is the FLOPs
    /// of the convolution over the median time of the samples given. A path timed only once (an emulated precision, whose
    /// one convolution takes seconds) has its warm-up run as its only sample and stays out of the interleaved samples.
    /// </summary>
    internal sealed class CeilingProbe : IDisposable
    {
        private readonly IReadOnlyList<ConvCeilingRun> runs;
        private readonly List<double>[] pooled;
        private readonly bool[] onlyOnce;

        private CeilingProbe(IReadOnlyList<ConvCeilingRun> runs, bool[] onlyOnce)
        {
            this.runs = runs;
            this.onlyOnce = onlyOnce;
            pooled = runs.Select(_ => new List<double>()).ToArray();
        }

        /// <param name="once">Paths timed once, at creation (see the class summary).</param>
        public static CeilingProbe Create(IReadOnlyList<InferencePath> paths, int threads, IReadOnlyCollection<InferencePath>? once = null)
        {
            var runs = new List<ConvCeilingRun>();
            try
            {
                foreach (var path in paths) runs.Add(ConvCeilingRun.Create(path, threads));
                var probe = new CeilingProbe(runs, runs.Select(r => once?.Contains(r.Path) == true).ToArray());
                for (int p = 0; p < runs.Count; p++)
                    if (probe.onlyOnce[p]) probe.Sample(p, 1);   // its warm-up is its sample: an emulated run takes seconds
                    else runs[p].Run();                          // warm-up: first-run allocations and kernel choices
                return probe;
            }
            catch
            {
                foreach (var run in runs) run.Dispose();
                throw;
            }
        }

        /// <summary>Every sample taken so far, per path.</summary>
        public IReadOnlyList<double>[] AllSamples => pooled;

        /// <summary>The index of <paramref name="path"/> among the probe's paths.</summary>
        public int IndexOf(InferencePath path) => runs.Select(r => r.Path).ToList().IndexOf(path) is var i and >= 0
            ? i : throw new ArgumentException($"The probe has no ceiling of {path.Name}.", nameof(path));

        /// <summary><paramref name="repeats"/> timed runs of path <paramref name="p"/> alone; seconds.</summary>
        public IReadOnlyList<double> Sample(int p, int repeats)
        {
            var times = new List<double>(repeats);
            for (int i = 0; i < Math.Max(1, repeats); i++)
            {
                var clock = Stopwatch.StartNew();
                runs[p].Run();
                times.Add(clock.Elapsed.TotalSeconds);
            }
            pooled[p].AddRange(times);
            return times;
        }

        /// <summary>Path <paramref name="p"/>'s ceiling over the median of <paramref name="times"/>.</summary>
        public ConvCeilingResult Result(int p, IEnumerable<double> times)
        {
            var all = times.ToArray();
            return new ConvCeilingResult(runs[p].Path.Name, runs[p].Case.Name, runs[p].Case.Flops / MedianOf(all) / 1e9, all.Length);
        }

        /// <summary>Each path's ceiling over its fastest sample of the whole run: other processes only ever slow a run down, so
        /// the fastest is the nearest to what the path does on an idle machine.</summary>
        public IReadOnlyList<ConvCeilingResult> Best() => runs.Select((run, p) =>
            new ConvCeilingResult(run.Path.Name, run.Case.Name, run.Case.Flops / pooled[p].Min() / 1e9, pooled[p].Count)).ToList();

        /// <summary><paramref name="repeats"/> timed runs of each path, interleaved; seconds per path (none for a path timed
        /// only once).</summary>
        public IReadOnlyList<double>[] Sample(int repeats)
        {
            var times = runs.Select(_ => new List<double>(repeats)).ToArray();
            for (int i = 0; i < Math.Max(1, repeats); i++)
                for (int p = 0; p < runs.Count; p++)
                    if (!onlyOnce[p]) times[p].AddRange(Sample(p, 1));
            return times;
        }

        /// <summary>Each path's ceiling over the samples of all <paramref name="samples"/> together (a path timed only once:
        /// over its one sample).</summary>
        public IReadOnlyList<ConvCeilingResult> Results(params IReadOnlyList<double>[][] samples) =>
            runs.Select((_, p) => Result(p, onlyOnce[p] ? pooled[p] : samples.SelectMany(s => s[p]))).ToList();

        public void Dispose()
        {
            foreach (var run in runs) run.Dispose();
        }
    }

    /// <summary>The row of a network timed on <paramref name="path"/>: its FLOP rate over the frame's convolutions and that rate's
    /// share of the same path's ceiling (none if the run did not measure that path's).</summary>
    internal static SpeedRow NetworkRow(string caseName, string model, string size, int repeats, double seconds, int width, int height,
        double flopsPerPixel, InferencePath path, IReadOnlyList<ConvCeilingResult> ceilings, string note)
    {
        double gflops = flopsPerPixel * width * height / seconds / 1e9;
        double? ceiling = ceilings.FirstOrDefault(c => c.Path == path.Name)?.Gflops;
        return new SpeedRow(caseName, size, repeats, seconds, width * (double)height / 1e6 / seconds, gflops, gflops / ceiling, note, path.Name, ceiling);
    }


    /// <summary>Medians of the actions run in turn, repeat after repeat (after one untimed run of each), so that all of them
    /// see the same machine load; and next to every timed run of action a, <see cref="CeilingSamples"/> runs of the ceiling of
    /// its path (<paramref name="ceilingOf"/>[a]) just before and as many just after, whose median is that action's ceiling: on
    /// a shared machine the load moves within minutes, so a run is read against the ceiling measured at its side.</summary>
    private static (double[] Medians, IReadOnlyList<ConvCeilingResult> Ceilings) InterleavedMedians(int repeats, Action[] actions,
        int[] ceilingOf, CeilingProbe probe)
    {
        foreach (var action in actions) action();
        var times = actions.Select(_ => new double[Math.Max(1, repeats)]).ToArray();
        var ceilingTimes = actions.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < times[0].Length; i++)
            for (int a = 0; a < actions.Length; a++)
            {
                ceilingTimes[a].AddRange(probe.Sample(ceilingOf[a], CeilingSamples));
                var clock = Stopwatch.StartNew();
                actions[a]();
                times[a][i] = clock.Elapsed.TotalSeconds;
                ceilingTimes[a].AddRange(probe.Sample(ceilingOf[a], CeilingSamples));
            }
        return (times.Select(MedianOf).ToArray(),
            ceilingOf.Select((p, a) => probe.Result(p, ceilingTimes[a])).ToList());
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    /// <summary>The libtorch fp32 ceiling in GFLOP/s with libtorch's current thread count: <see cref="ConvCeilingRun"/> timed as
    /// <see cref="MeasureCeilings"/> times it (<c>hdrup bench profile</c> divides by it).</summary>
    public static double ConvCeiling(int repeats, Action<string> log) =>
        MeasureCeilings([InferencePath.TorchFp32], Math.Max(CeilingRepeats, repeats), threads: 0, log)[0].Gflops;

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
        return MedianOf(times);
    }

    /// <summary>The middle value (the upper of the two middle ones for an even count), as every median of this bench is taken.</summary>
    private static double MedianOf(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>What the reports say about the machine: CPU, cores, its bf16 and int8 units (present or not), memory, OS and
    /// runtimes.</summary>
    public static string MachineDescription() => MachineDescription(CpuFeatures.Current);

    internal static string MachineDescription(CpuFeatures cpu) =>
        $"{cpu.ModelName}; {Environment.ProcessorCount} logical cores; {CpuUnits(cpu)}; {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB; " +
        $"{RuntimeInformation.OSDescription}; .NET {Environment.Version}; libtorch via TorchSharp, ONNX Runtime {OrtEnv.Instance().GetVersionString()}";

    // The units the precisions depend on (CpuFeatures): AMX and AVX512-BF16 for bf16, AMX-INT8 and VNNI for int8.
    private static readonly (string Flag, string Label)[] Units =
    [
        ("amx_bf16", "AMX-BF16"), ("amx_int8", "AMX-INT8"), ("avx512_bf16", "AVX512-BF16"), ("avx512_vnni", "AVX512-VNNI"),
        ("avx_vnni", "AVX-VNNI"), ("avx512f", "AVX-512F"), ("avx2", "AVX2"),
    ];

    /// <summary>"AMX-BF16 no, AMX-INT8 no, AVX512-BF16 yes, …, int8 weights 8-bit": each unit a precision depends on,
    /// present or absent, and the int8 weights' width on this CPU (<see cref="OnnxInt8.WeightLimitFor"/>).</summary>
    internal static string CpuUnits(CpuFeatures cpu) =>
        string.Join(", ", Units.Select(u => $"{u.Label} {(cpu.Flags.Contains(u.Flag) ? "yes" : "no")}")) +
        (OnnxInt8.WeightLimitFor(cpu) == 127 ? ", int8 weights 8-bit" : ", int8 weights 7-bit (u8×s8 pairs would saturate in 16 bits without VNNI)");

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
        md.AppendLine();
        var fp32 = report.CeilingOf(InferencePath.TorchFp32);
        md.AppendLine(string.Format(inv, "Ceilings ({0} on {1}, {2:F2} GFLOP a run, on each path; the fastest of each path's samples over the run, the nearest to an idle machine): ", ConvCase.Default.Name, ConvCase.Default.Shape, ConvCase.Default.Flops / 1e9) + string.Join("; ", report.Ceilings.Select(c => string.Format(inv, "{0} {1:F1} GFLOP/s{2}", c.Path, c.Gflops,
                fp32 is double f && c.Path != InferencePath.TorchFp32.Name ? string.Format(inv, " ({0:F2}× libtorch fp32)", c.Gflops / f) : "")))
            + ". int8 operations are counted as FLOPs. Each network row's \"of ceiling\" is against the ceiling of the path it ran on (column \"against\"), "
            + $"the median of {CeilingSamples} runs just before and {CeilingSamples} just after each of that row's timed runs, because the load of a shared machine moves within minutes.");
        md.AppendLine();
        md.AppendLine("| case | size | repeats | median s | Mpx/s | GFLOP/s | of ceiling | against (ceiling GFLOP/s) | note |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in report.Rows)
        {
            string F(double? v, string format) => v is double d && double.IsFinite(d) ? d.ToString(format, inv) : "";
            md.AppendLine(inv, $"| {r.Case} | {r.Size} | {r.Repeats} | {F(r.MedianSeconds, "F3")} | {F(r.MegapixelsPerSecond, "F3")} | {F(r.GflopPerSecond, "F1")} | {F(r.RatioToConvCeiling, "P0")} | {r.Against}{(r.Against is not null && r.CeilingGflops is double g ? string.Format(inv, " ({0:F1})", g) : "")} | {r.Note} |");
        }
        if (report.Alternatives is { } comparisons)
        {
            md.AppendLine();
            md.AppendLine("## Other backends and precisions against libtorch fp32");
            md.AppendLine();
            string calibrated = report.Int8Calibration is { } frames ? $" int8 graphs calibrated on {frames}." : "";
            md.AppendLine(inv, $"Same frame, {report.Threads} thread(s) each, runs interleaved; ratio below 1 = the alternative is faster. All run through the same padding and tiling (FrameInference; the tiles are in the note column above).{calibrated} Differences and PSNR (peak 1) are against libtorch fp32's output, with the random weights of this bench.");
            md.AppendLine();
            md.AppendLine("| model | size | alternative | repeats | libtorch fp32 s | alternative s | alternative / fp32 | alternative / ONNX fp32 | max abs difference | PSNR vs fp32 dB |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in comparisons)
                md.AppendLine(inv, $"| {c.Model} | {c.Size} | {c.Alternative} | {c.Repeats} | {c.TorchSharpSeconds:F3} | {c.AlternativeSeconds:F3} | {c.RatioToTorchSharp:F3} | {(c.RatioToOnnxFp32 is double o ? o.ToString("F3", inv) : "")} | {c.MaxAbsDifference:E2} | {c.PsnrToFp32:F1} |");
        }
        md.Append(WhatStopsTheTargets(report));
        return (json, md.ToString());
    }

    /// <summary>
    /// The "what stops the targets" section: for each target and each path with a ceiling in the run, the least time a frame
    /// can take there (the frame's convolution FLOPs ÷ the ceiling: every convolution as fast as the large one), the ceiling the
    /// target would need, and the time measured in this run with its share of that ceiling; then the bound the two libtorch
    /// ceilings put on training's bf16 speed-up.
    /// </summary>
    internal static string WhatStopsTheTargets(SpeedReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine();
        md.AppendLine("## What stops the targets");
        md.AppendLine();
        md.AppendLine("Issue #17's targets against this run's ceilings. A frame's convolution FLOPs divided by a path's ceiling is the least time "
            + "the path can take for the frame: every convolution of the network as fast as one large 64→64 3×3 convolution, nothing else "
            + "costing anything and no overlapping tiles. A target is out of reach on a path when that least time is already above it. "
            + "A path's ceiling here is its fastest sample of the run; the last column's share is against the ceiling measured next to that row's runs, as in the table above.");
        md.AppendLine();
        md.AppendLine("| target | path | GFLOP per frame | ceiling GFLOP/s | least s/frame | ceiling needed GFLOP/s | reachable | measured s/frame (of ceiling) |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---|---:|");
        var reachable = new List<string>();
        foreach (var target in Targets)
        {
            var cost = report.Networks?.FirstOrDefault(n => n.Model == target.Model);
            if (cost is null) continue;
            double frameGflop = cost.FlopsPerPixel * target.Width * target.Height / 1e9;
            double needed = frameGflop / target.Seconds;
            foreach (var ceiling in report.Ceilings)
            {
                double least = frameGflop / ceiling.Gflops;
                bool ok = least <= target.Seconds;
                if (ok) reachable.Add($"{target.Model} on {ceiling.Path}");
                var row = report.Rows.FirstOrDefault(r => r.Against == ceiling.Path && r.Size == target.Size
                    && (r.Case == target.Model || r.Case == $"{target.Model} ({ceiling.Path})"));
                string measured = row is { RatioToConvCeiling: double share } ? string.Format(inv, "{0:F2} ({1:P0})", row.MedianSeconds, share) : "not run";
                md.AppendLine(inv, $"| {target.Description} | {ceiling.Path} | {frameGflop:F1} | {ceiling.Gflops:F1} | {least:F2} | {needed:F1} | {(ok ? $"yes, at ≥ {least / target.Seconds:P0} of the ceiling" : $"no: {least / target.Seconds:F1}× the target")} | {measured} |");
            }
        }
        md.AppendLine();
        string paths = reachable.Count == 0 ? "on none of the paths measured" : "only for " + string.Join(", ", reachable);
        md.AppendLine(inv, $"At their ceilings the inference targets are reachable {paths}; a network runs below its path's ceiling (the share in the last column), so a path whose least time is close to the target misses it in practice.");
        md.AppendLine();
        double? fp32 = report.CeilingOf(InferencePath.TorchFp32), bf16 = report.CeilingOf(InferencePath.TorchBf16);
        md.AppendLine(bf16 is double b && fp32 is double f
            ? string.Format(inv, "Training at ≥ {0:F0}× fp32's it/s in bf16: a training step is mostly convolutions, forward and backward on libtorch, "
                + "whose bf16 speed-up is at most the bf16 ceiling ÷ the fp32 ceiling, {1:F2}× in this run; the rest (element-wise work, Adam on the "
                + "fp32 master weights) gains at most the 2× of halved bytes. {2}", TrainingSpeedupTarget, b / f,
                b / f >= TrainingSpeedupTarget ? "The convolutions allow the target." : "So the step stays under 2×: the target is out of reach on this CPU's bf16 units.")
            : "Training at ≥ 2× fp32's it/s in bf16: not judged, this run measured no bf16 ceiling (`--bf16`).");
        return md.ToString();
    }
}
