using System.CommandLine;
using System.Globalization;
using HdrUp.Cli.Bench;
using HdrUp.Models;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup bench speed</c>: throughput of the networks and metrics on this machine, written as a report.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure HdrUp on this machine and write reports to bench/results/.");

        var models = new Option<string>("--models")
        {
            Description = "Comma-separated architectures from 'hdrup model list'.",
            DefaultValueFactory = _ => "kpnet,kpnet-single-kib,kunet",
        };
        var sizes = new Option<string>("--sizes")
        {
            Description = "Comma-separated frame sizes: 540p, 1080p, 2160p (2160p runs in tiles and takes minutes per model).",
            DefaultValueFactory = _ => "540p,1080p",
        };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per case (the median is reported), after one warm-up.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Folder for the JSON and Markdown reports.", DefaultValueFactory = _ => Path.Combine("bench", "results") };
        var speed = new Command("speed",
            "Network throughput (megapixels/s and GFLOP/s) per model and frame size, the same for a single 64→64 3×3 convolution " +
            "as this machine's practical ceiling (the ratio is reported), metric timings at 1080p, and peak memory. " +
            "Timings are medians in one run; compare ratios, not absolute times, across runs.");
        foreach (var option in new Option[] { models, sizes, repeats, threads, output })
            speed.Options.Add(option);
        CliRuntime.SetGuardedAction(speed, (parse, runtime, ct) =>
        {
            string[] modelNames = Split(parse.GetValue(models)!);
            foreach (string name in modelNames)
            {
                if (!ArchRegistry.Contains(name))
                    throw new ArgumentException($"--models: unknown architecture '{name}' (see 'hdrup model list')");
            }
            string[] sizeNames = Split(parse.GetValue(sizes)!);
            foreach (string size in sizeNames)
            {
                if (!SpeedBench.Sizes.Any(s => s.Name == size))
                    throw new ArgumentException($"--sizes: unknown size '{size}'; use {string.Join(", ", SpeedBench.Sizes.Select(s => s.Name))}");
            }
            int repeatCount = parse.GetValue(repeats);
            if (repeatCount < 1) throw new ArgumentException("--repeats must be at least 1");

            SpeedReport report = SpeedBench.Run(modelNames, sizeNames, repeatCount, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            var (json, markdown) = SpeedBench.Render(report);
            WriteReport(runtime, parse.GetValue(output)!, "speed", markdown, ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        bench.Subcommands.Add(speed);
        bench.Subcommands.Add(CreateQuality(output));
        return bench;
    }

    private static Command CreateQuality(Option<string> output)
    {
        var data = new Option<string>("--data")
        {
            Description = "Dataset root with test_hdr/ and test_sdr/qpNN/ (the layout 'hdrup dataset build' writes).",
            DefaultValueFactory = _ => Path.Combine("data", "out"),
        };
        var qps = new Option<string>("--qp") { Description = "Comma-separated QPs to score.", DefaultValueFactory = _ => "32,37,42,47" };
        var weights = new Option<string[]>("--weights")
        {
            Description = "Extra learned methods as NAME=FILE (a weights file with its model card; use {qp} in FILE for one file per QP). " +
                          "The shipped KPNet models are always included as 'kpnet'.",
            AllowMultipleArgumentsPerToken = true,
        };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var quality = new Command("quality",
            "Score every method on the test split in the layout of the paper's Table 1 (QP, method, params, PSNR, SSIM, MSE, ΔE_ITP): " +
            "the non-learned BT.2446 Method A inverse and BT.2408 placement, the shipped KPNet per QP, and any --weights.");
        foreach (var option in new Option[] { data, qps, weights, threads, output })
            quality.Options.Add(option);
        CliRuntime.SetGuardedAction(quality, (parse, runtime, ct) =>
        {
            int[] qpList = Split(parse.GetValue(qps)!).Select(q => int.TryParse(q, out int v) ? v : throw new ArgumentException($"--qp: '{q}' is not a number")).ToArray();
            int threadCount = Math.Max(1, parse.GetValue(threads));
            var methods = new List<QualityMethod>
            {
                new("BT.2446 Method A inverse", () => null, _ => new HdrUp.Color.Bt2446AInverseMapper()),
                new("BT.2408 placement (203 cd/m²)", () => null, _ => new HdrUp.Color.Bt2408SdrMapper()),
            };
            var shipped = Conversion.ShippedModels.ByQp();
            methods.Add(LearnedMethod("kpnet (shipped)", qp => shipped.TryGetValue(qp, out string? file) ? file : null, threadCount));
            foreach (string spec in parse.GetValue(weights) ?? [])
            {
                string[] parts = spec.Split('=', 2);
                if (parts.Length != 2) throw new ArgumentException($"--weights {spec}: expected NAME=FILE");
                methods.Add(LearnedMethod(parts[0], qp => parts[1].Replace("{qp}", qp.ToString(CultureInfo.InvariantCulture)), threadCount));
            }
            var rows = QualityBench.Run(parse.GetValue(data)!, qpList, methods, line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            string caption = $"Quality on the test split of {Path.GetFullPath(parse.GetValue(data)!)} ({DateTime.UtcNow:yyyy-MM-dd}): " +
                             "means over frames of PSNR/MSE on PQ code values (peak 1), SSIM (official protocol: 7×7 box, data range 2) and ΔE_ITP, " +
                             "outputs clamped and quantised to 16 bits as the official test script does.";
            var (markdown, csv) = QualityBench.Render(rows, caption);
            WriteReport(runtime, parse.GetValue(output)!, "quality", markdown, ("csv", csv));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return quality;
    }

    /// <summary>A learned method whose weights file per QP may be missing (then that QP is skipped).</summary>
    private static QualityMethod LearnedMethod(string name, Func<int, string?> fileForQp, int threads)
    {
        long? parameters = null;
        Conversion.NetworkFrameMapper? current = null;
        return new QualityMethod(name, () => parameters, qp =>
        {
            current?.Dispose();
            current = null;
            string? file = fileForQp(qp);
            if (file is null || !File.Exists(file)) return null;
            var (network, _) = HdrUp.Models.Checkpoints.ModelStore.Load(file);
            parameters ??= network.parameters().Sum(p => p.numel());
            current = new Conversion.NetworkFrameMapper(name, network, new HdrUp.Models.Inference.InferenceOptions { Threads = threads });
            return current;
        });
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Writes NAME-yyyyMMdd-HHmm.md and its data twin into the reports folder, prints the Markdown.</summary>
    private static void WriteReport(CliRuntime runtime, string folder, string name, string markdown, (string Extension, string Text) data)
    {
        Directory.CreateDirectory(folder);
        string stem = Path.Combine(folder, $"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}");
        AtomicFile.WriteAllText(stem + ".md", markdown);
        AtomicFile.WriteAllText($"{stem}.{data.Extension}", data.Text);
        runtime.Console.WriteLine(markdown);
        runtime.Console.MarkupLine($"report: {Markup.Escape(stem)}.md and .{data.Extension}");
    }
}
