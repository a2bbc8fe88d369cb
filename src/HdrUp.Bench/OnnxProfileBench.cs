using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrUp.Conversion;
using HdrUp.Models;
using HdrUp.Models.Onnx;
using TorchSharp;

namespace HdrUp.Bench;

/// <summary>Time per frame of one operator type, or of one node, of the graph ONNX Runtime ran (after its optimisations:
/// fused, re-laid-out and integer nodes appear under ONNX Runtime's own names).</summary>
public sealed record OperatorTime(string Name, string OpType, int Nodes, double Seconds);

/// <summary>What <c>hdrup bench profile --backend onnx</c> measured on one model, frame size and precision.</summary>
public sealed record OnnxProfileReport(string Model, string Size, int Width, int Height, string Precision, int Threads, int Frames,
    double SecondsPerFrame, double KernelSecondsPerFrame, double ConvGflopPerFrame, IReadOnlyList<OperatorTime> Operators, IReadOnlyList<OperatorTime> Nodes);

/// <summary>
/// <c>hdrup bench profile --backend onnx</c>: where a frame's time goes in ONNX Runtime, from its own profiler
/// (<c>SessionOptions.EnableProfiling</c>) on the fp32 or int8 graph convert runs: time per operator type and the slowest
/// nodes, over the profiled frames after one warm-up run. Frames are whole, cropped to the network's size multiple.
/// </summary>
public static class OnnxProfileBench
{
    /// <summary>Nodes listed in the report, slowest first.</summary>
    public const int ListedNodes = 20;

    /// <summary>Profiles <paramref name="model"/> (random weights) on a synthetic frame.</summary>
    /// <param name="int8">Profile the int8 graph (calibrated on frames of the bundled sample, as <c>bench speed --int8</c>).</param>
    /// <exception cref="ArgumentException">The architecture has no ONNX export.</exception>
    public static OnnxProfileReport Run(string model, string sizeName, int frames, int threads, bool int8, Action<string> log, CancellationToken ct)
    {
        var (_, fullWidth, fullHeight) = SpeedBench.Sizes.Single(s => s.Name == sizeName);
        torch.set_num_threads(threads);
        using HdrNetwork network = ArchRegistry.Create(model);
        network.eval();
        if (!OnnxExport.CanExport(network))
            throw new ArgumentException($"bench profile --backend onnx: {model} has no ONNX export (the KPNet family has)");
        int width = fullWidth / network.SizeMultiple * network.SizeMultiple, height = fullHeight / network.SizeMultiple * network.SizeMultiple;
        CalibrationSet? calibration = null;
        if (int8)
        {
            log($"{model}: int8 graph (calibrated on frames of {CalibrationFrames.SamplePath})");
            calibration = CalibrationFrames.FromClip(CalibrationFrames.SamplePath, cancellationToken: ct);
        }
        double convGflop = ConvFlops.PerPixel(network) * width * height / 1e9;

        string folder = Directory.CreateTempSubdirectory("hdrup-profile-").FullName;
        try
        {
            string trace;
            using (var runner = OnnxRunner.For(network, threads, OnnxGraphCache.Default, calibration, Path.Combine(folder, "onnxruntime")))
            {
                var input = SpeedBench.SyntheticFrame(width, height);
                var output = new float[input.Length];
                log($"{model} {sizeName}: warm-up frame");
                runner.Run(input, output, width, height);   // ONNX Runtime sizes its buffers and packs weights on the first run
                for (int i = 0; i < frames; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    runner.Run(input, output, width, height);
                    log($"{model} {sizeName}: frame {i + 1}/{frames} profiled");
                }
                trace = runner.EndProfiling();
            }
            var summary = Summarise(File.ReadAllText(trace), skipRuns: 1);
            return new OnnxProfileReport(model, sizeName, width, height, int8 ? "int8" : "fp32", threads, summary.Runs,
                summary.RunSeconds, summary.KernelSeconds, convGflop, summary.Operators, summary.Nodes.Take(ListedNodes).ToList());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What a trace holds, per run after the first <paramref name="skipRuns"/>.</summary>
    internal sealed record TraceSummary(int Runs, double RunSeconds, double KernelSeconds, IReadOnlyList<OperatorTime> Operators, IReadOnlyList<OperatorTime> Nodes);

    /// <summary>
    /// Sums an ONNX Runtime trace (Chrome's trace event format: a JSON array of events with <c>cat</c>, <c>name</c>,
    /// <c>ts</c> and <c>dur</c> in microseconds) over its "model_run" events after the first <paramref name="skipRuns"/>: their
    /// mean duration, and the "NODE_kernel_time" events inside them by node and by operator type (<c>args.op_name</c>),
    /// per run, slowest first.
    /// </summary>
    /// <exception cref="InvalidDataException">The trace has no run after the skipped ones.</exception>
    internal static TraceSummary Summarise(string json, int skipRuns)
    {
        using var document = JsonDocument.Parse(json);
        var events = document.RootElement.EnumerateArray().ToList();
        var runs = events.Where(e => e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetDouble(), Duration: e.GetProperty("dur").GetDouble()))
            .OrderBy(r => r.Start).Skip(skipRuns).ToList();
        if (runs.Count == 0) throw new InvalidDataException($"The ONNX Runtime trace holds no run after the first {skipRuns}.");
        var nodes = new Dictionary<string, (string OpType, double Microseconds)>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.GetProperty("cat").GetString() != "Node" || e.GetProperty("name").GetString() is not { } name
                || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            double start = e.GetProperty("ts").GetDouble();
            if (!runs.Any(r => start >= r.Start && start <= r.Start + r.Duration)) continue;
            string node = name[..^"_kernel_time".Length];
            string opType = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op) ? op.GetString() ?? "?" : "?";
            var sum = nodes.GetValueOrDefault(node, (opType, 0));
            nodes[node] = (opType, sum.Microseconds + e.GetProperty("dur").GetDouble());
        }
        double PerRun(double microseconds) => microseconds / 1e6 / runs.Count;
        var byNode = nodes.Select(n => new OperatorTime(n.Key, n.Value.OpType, 1, PerRun(n.Value.Microseconds)))
            .OrderByDescending(n => n.Seconds).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
        var byType = byNode.GroupBy(n => n.OpType)
            .Select(g => new OperatorTime(g.Key, g.Key, g.Count(), g.Sum(n => n.Seconds)))
            .OrderByDescending(t => t.Seconds).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        return new TraceSummary(runs.Count, PerRun(runs.Sum(r => r.Duration)), byNode.Sum(n => n.Seconds), byType, byNode);
    }

    /// <summary>The Markdown section of one report.</summary>
    public static string Render(OnnxProfileReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"## {r.Model}, {r.Size} ({r.Width}×{r.Height}), ONNX Runtime {r.Precision}, {r.Threads} threads: {r.SecondsPerFrame:F3} s/frame " +
            $"({r.KernelSecondsPerFrame:F3} s in kernels; {r.ConvGflopPerFrame:F1} conv GFLOP, {r.ConvGflopPerFrame / r.SecondsPerFrame:F1} GFLOP/s)");
        md.AppendLine().AppendLine(inv, $"ONNX Runtime's profiler over {r.Frames} frame(s) after a warm-up; shares are of the kernel time. Operators are those of the graph ONNX Runtime ran: fused convolutions, its blocked-layout reorders, the integer kernels of the int8 graph.");
        md.AppendLine().AppendLine("| operator | nodes | s/frame | share |").AppendLine("|---|---:|---:|---:|");
        foreach (var t in r.Operators)
            md.AppendLine(inv, $"| {t.OpType} | {t.Nodes} | {t.Seconds:F3} | {t.Seconds / r.KernelSecondsPerFrame:P1} |");
        md.AppendLine().Append("The ").Append(r.Nodes.Count).AppendLine(" slowest nodes:").AppendLine();
        md.AppendLine("| node | operator | s/frame | share |").AppendLine("|---|---|---:|---:|");
        foreach (var n in r.Nodes)
            md.AppendLine(inv, $"| {n.Name} | {n.OpType} | {n.Seconds:F3} | {n.Seconds / r.KernelSecondsPerFrame:P1} |");
        return md.ToString();
    }
}
