using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrUp.Models;
using HdrUp.Models.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Bench;

/// <summary>Inclusive time of one module (path as in the state dict) over the profiled frames.</summary>
public sealed record ModuleTime(string Path, int Depth, int Calls, double Seconds, double ConvGflop);

/// <summary>What <c>hdrup bench profile</c> measured on one model and frame size.</summary>
public sealed record ProfileReport(string Model, string Size, int Threads, int Frames, double SecondsPerFrame, double ConvGflopPerFrame,
    long ManagedBytesPerFrame, IReadOnlyList<ModuleTime> Modules);

/// <summary>
/// <c>hdrup bench profile</c>: where a frame's time goes. Every single-tensor submodule gets forward hooks that
/// time its <c>call</c> (libtorch CPU kernels are synchronous, so wall time between the hooks is the module's work,
/// children included); the share a module's convolutions would take at the ceiling rate comes from
/// <see cref="ConvFlops"/>. Also reports managed bytes allocated per frame (GC counter), to check the inference
/// path does no per-frame work on the .NET heap beyond its frame buffers.
/// </summary>
public static class ProfileBench
{
    /// <summary>The whole report: this machine's convolution ceiling, then each model's profile (Markdown and JSON).</summary>
    /// <param name="onnx">Profile ONNX Runtime's graph with its own profiler instead (<see cref="OnnxProfileBench"/>; depth unused).</param>
    /// <param name="int8">With <paramref name="onnx"/>: the int8 graph.</param>
    public static (string Markdown, string Json) Report(IReadOnlyList<string> models, string sizeName, int frames, int threads, int depth,
        Action<string> log, CancellationToken ct, bool onnx = false, bool int8 = false)
    {
        if (int8 && !onnx) throw new ArgumentException("bench profile: --precision int8 runs on ONNX Runtime; add --backend onnx");
        if (onnx) return OnnxReport(models, sizeName, frames, threads, int8, log, ct);
        torch.set_num_threads(threads);
        double ceiling = SpeedBench.ConvCeiling(3, log);
        var markdown = Header();
        var reports = new List<ProfileReport>();
        foreach (string name in models)
        {
            var report = Run(name, sizeName, frames, threads, log, ct);
            reports.Add(report);
            markdown.AppendLine(Render(report, ceiling, depth));
        }
        string json = Json(new { ceiling_gflops = ceiling, profiles = reports });
        return (markdown.ToString(), json);
    }

    private static (string Markdown, string Json) OnnxReport(IReadOnlyList<string> models, string sizeName, int frames, int threads, bool int8,
        Action<string> log, CancellationToken ct)
    {
        var markdown = Header();
        var reports = models.Select(name => OnnxProfileBench.Run(name, sizeName, frames, threads, int8, log, ct)).ToList();
        foreach (var report in reports) markdown.AppendLine(OnnxProfileBench.Render(report));
        string json = Json(new { backend = "onnx", profiles = reports });
        return (markdown.ToString(), json);
    }

    private static StringBuilder Header() =>
        new($"# hdrup bench profile — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n\nMachine: {SpeedBench.MachineDescription()}.\n\n");

    private static string Json(object report) => System.Text.Json.JsonSerializer.Serialize(report,
        new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower });

    public static ProfileReport Run(string model, string sizeName, int frames, int threads, Action<string> log, CancellationToken ct)
    {
        var (_, width, height) = SpeedBench.Sizes.Single(s => s.Name == sizeName);
        torch.set_num_threads(threads);
        using HdrNetwork network = ArchRegistry.Create(model);
        network.eval();
        var engine = new FrameInference(network, new InferenceOptions { Threads = threads, TileSize = 0 });
        var input = SpeedBench.SyntheticFrame(width, height);
        var output = new float[input.Length];
        log($"{model} {sizeName}: warm-up frame");
        engine.Run(input, output, width, height);

        var named = network.named_modules().Where(m => m.name.Length > 0).ToList();
        var flops = ConvFlops.PerModule(network).ToDictionary(f => f.Key, f => f.Value * width * height);
        var clocks = new Dictionary<string, (Stopwatch Clock, int Calls)>();
        var removers = new List<Action>();
        foreach (var (name, module) in named)
        {
            if (module is not nn.Module<Tensor, Tensor> hookable) continue;
            var clock = new Stopwatch();
            clocks[name] = (clock, 0);
            var pre = hookable.register_forward_pre_hook((_, x) => { clock.Start(); return null!; });
            var post = hookable.register_forward_hook((_, _, y) =>
            {
                clock.Stop();
                clocks[name] = (clock, clocks[name].Calls + 1);
                return null!;
            });
            removers.Add(pre.remove);
            removers.Add(post.remove);
        }
        try
        {
            long managedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var total = Stopwatch.StartNew();
            for (int i = 0; i < frames; i++)
            {
                ct.ThrowIfCancellationRequested();
                engine.Run(input, output, width, height);
                log($"{model} {sizeName}: frame {i + 1}/{frames} profiled");
            }
            total.Stop();
            long managed = (GC.GetTotalAllocatedBytes(precise: true) - managedBefore) / frames;
            var modules = clocks.Where(c => c.Value.Calls > 0)
                .Select(c => new ModuleTime(c.Key, c.Key.Count(ch => ch == '.'), c.Value.Calls / frames, c.Value.Clock.Elapsed.TotalSeconds / frames,
                    flops.Where(f => f.Key == c.Key || f.Key.StartsWith(c.Key + ".", StringComparison.Ordinal)).Sum(f => f.Value) / 1e9))
                .OrderBy(m => named.FindIndex(n => n.name == m.Path))
                .ToList();
            return new ProfileReport(model, sizeName, threads, frames, total.Elapsed.TotalSeconds / frames, flops.Values.Sum() / 1e9, managed, modules);
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
    }

    public static string Render(ProfileReport r, double ceilingGflops, int maxDepth)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        double rate = r.ConvGflopPerFrame / r.SecondsPerFrame;
        md.AppendLine(inv, $"## {r.Model}, {r.Size}, {r.Threads} threads: {r.SecondsPerFrame:F3} s/frame ({r.ConvGflopPerFrame:F1} conv GFLOP, {rate:F1} GFLOP/s = {rate / ceilingGflops:P0} of the {ceilingGflops:F1} GFLOP/s ceiling)");
        md.AppendLine().Append(inv, $"Managed (.NET heap) allocation per frame: {r.ManagedBytesPerFrame / 1024.0:F0} KiB (input/output buffers included). ");
        md.AppendLine("Times are inclusive of children; modules called several times per frame (the shared KIB) add up.");
        md.AppendLine().AppendLine("| module | calls/frame | s/frame | share | conv GFLOP | GFLOP/s | of ceiling |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in r.Modules.Where(m => m.Depth <= maxDepth))
        {
            string moduleRate = m.ConvGflop > 0 ? (m.ConvGflop / m.Seconds).ToString("F1", inv) : "";
            string ofCeiling = m.ConvGflop > 0 ? (m.ConvGflop / m.Seconds / ceilingGflops).ToString("P0", inv) : "";
            md.AppendLine(inv, $"| {m.Path} | {m.Calls} | {m.Seconds:F3} | {m.Seconds / r.SecondsPerFrame:P1} | {m.ConvGflop:F2} | {moduleRate} | {ofCeiling} |");
        }
        return md.ToString();
    }
}
