using System.CommandLine;
using System.Globalization;
using HdrUp.Cli.Bench;
using HdrUp.Models;
using HdrUp.Training.Train;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup bench speed | quality | ablation</c>: throughput, quality on the test split, and the paper's ablation tables, written as reports.</summary>
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
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "speed"), markdown, ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        bench.Subcommands.Add(speed);
        bench.Subcommands.Add(CreateQuality(output));
        bench.Subcommands.Add(CreateAblation(output));
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
        var note = new Option<string?>("--caption") { Description = "Text added to the table caption, e.g. how the --weights methods were trained." };
        var figureRows = new Option<int>("--figure-rows")
        {
            Description = "Test frames shown in the crops figure (one PNG per QP: SDR input, each method, ground truth); 0 = no figure.",
            DefaultValueFactory = _ => 3,
        };
        var temporal = new Option<bool>("--temporal")
        {
            Description = "Also measure flicker on the dataset's pan sequences (pan_hdr/, pan_sdr/qpNN/), if it has them.",
            DefaultValueFactory = _ => true,
        };
        var quality = new Command("quality",
            "Score every method on the test split in the layout of the paper's Table 1 (QP, method, params, PSNR, SSIM, MSE, ΔE_ITP): " +
            "the non-learned BT.2446 Method A inverse and BT.2408 placement, the shipped KPNet per QP, and any --weights; " +
            "plus a PNG of crops side by side per QP and the flicker index on the pan sequences.");
        foreach (var option in new Option[] { data, qps, weights, threads, note, figureRows, temporal, output })
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
            methods.Add(QualityBench.LearnedMethod("kpnet (shipped)", qp => shipped.TryGetValue(qp, out string? file) ? file : null, threadCount));
            foreach (string spec in parse.GetValue(weights) ?? [])
            {
                string[] parts = spec.Split('=', 2);
                if (parts.Length != 2) throw new ArgumentException($"--weights {spec}: expected NAME=FILE");
                methods.Add(QualityBench.LearnedMethod(parts[0], qp => parts[1].Replace("{qp}", qp.ToString(CultureInfo.InvariantCulture)), threadCount));
            }
            string root = parse.GetValue(data)!;
            Action<string> log = line => runtime.Console.MarkupLine(Markup.Escape(line));
            int testFrames = Directory.Exists(Path.Combine(root, "test_hdr")) ? Directory.GetFiles(Path.Combine(root, "test_hdr"), "*.png").Length : 0;
            var figure = parse.GetValue(figureRows) is > 0 and int n ? new CropFigure(CropFigure.Spread(testFrames, n)) : null;
            var rows = QualityBench.Run(root, qpList, methods, log, ct, figure);
            var temporalRows = parse.GetValue(temporal) ? QualityBench.RunTemporal(root, qpList, methods, log, ct) : [];

            string stem = ReportStem(parse.GetValue(output)!, "quality");
            string caption = $"Quality on the test split of {Path.GetFullPath(root)} ({DateTime.UtcNow:yyyy-MM-dd}): " +
                             "means over frames of PSNR/MSE on PQ code values (peak 1), SSIM (official protocol: 7×7 box, data range 2) and ΔE_ITP, " +
                             "outputs clamped and quantised to 16 bits as the official test script does. 'paper params' is the paper's Params column." +
                             (parse.GetValue(note) is { } extra ? " " + extra : "");
            string temporalCaption = "Temporal stability on the pan sequences (virtual camera pans over training panoramas: for stability, not for accuracy claims): " +
                                     "flicker = mean |F_t − F_{t−1}| over consecutive frames (PQ code values), ratio = output ÷ ground truth, " +
                                     "temporal error = mean |(O_t − O_{t−1}) − (G_t − G_{t−1})|, means over sequences.";
            var (markdown, csv) = QualityBench.Render(rows, caption, temporalRows, temporalCaption);
            var extras = new List<(string Suffix, Action<Stream> Write)>();
            if (temporalRows.Count > 0) extras.Add(("-temporal.csv", s => s.Write(System.Text.Encoding.UTF8.GetBytes(QualityBench.TemporalCsv(temporalRows)))));
            if (figure is not null)
            {
                var text = new System.Text.StringBuilder(markdown);
                foreach (int qp in figure.Qps)
                {
                    string file = $"{Path.GetFileName(stem)}-qp{qp}.png";
                    extras.Add(($"-qp{qp}.png", s => figure.Save(qp, s)));
                    text.AppendLine().AppendLine(
                        $"![QP {qp} crops]({file}) **QP {qp} crops** ({file}): rows = test frames {string.Join(", ", figure.Frames)} (centre {figure.Size}×{figure.Size}); " +
                        $"columns = {string.Join(" | ", figure.Columns(qp))}. HDR shown on SDR: PQ → cd/m², BT.2020 → BT.709, 203 cd/m² → 1.0, " +
                        "extended Reinhard per channel with white at 1000 cd/m², BT.1886 γ 1/2.4; the SDR input as coded.");
                }
                markdown = text.ToString();
            }
            WriteReport(runtime, stem, markdown, ("csv", csv), extras);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return quality;
    }

    private static Command CreateAblation(Option<string> output)
    {
        var data = new Option<string>("--data")
        {
            Description = "Dataset root with train_hdr/, train_sdr/qpNN/, test_hdr/, test_sdr/qpNN/ (what 'hdrup dataset build' writes).",
            DefaultValueFactory = _ => Path.Combine("data", "out"),
        };
        var qp = new Option<int>("--qp") { Description = "The QP of the training and test SDR folders (the paper's ablations use 32).", DefaultValueFactory = _ => 32 };
        var iterations = new Option<long>("--iterations") { Description = "Training steps per variant (the shared budget).", Required = true };
        var crop = new Option<int>("--crop") { Description = "Training crop side.", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 4 };
        var nf = new Option<int?>("--nf") { Description = "Feature width of every variant (default: the recipe's)." };
        var recipe = new Option<string>("--recipe")
        {
            Description = "Base training recipe (optimiser, LR shape, seed, flips); network, loss, data, budget are set per variant.",
            DefaultValueFactory = _ => Path.Combine("options", "kpnet_qp37_cpu_c64_b4_5k.json"),
        };
        var variants = new Option<string>("--variants")
        {
            Description = "Comma-separated variants (default all): " + string.Join(", ", HdrUp.Training.Ablation.AblationCatalog.All.Select(v => v.Key)) + ".",
        };
        var runs = new Option<string>("--runs") { Description = "Folder for the training runs.", DefaultValueFactory = _ => Path.Combine("runs", "ablation") };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var ablation = new Command("ablation",
            "Train each ablation variant of the paper (Tab. 2 rows 1–11, Tab. 4, Tab. 5; docs/ablations.md) with one shared budget, " +
            "score each on the test split with the paper's metrics, and write Tables 2, 4 and 5 in the paper's layout (Markdown + CSV).");
        foreach (var option in new Option[] { data, qp, iterations, crop, batch, nf, recipe, variants, runs, threads, output })
            ablation.Options.Add(option);
        CliRuntime.SetGuardedAction(ablation, (parse, runtime, ct) =>
        {
            long steps = parse.GetValue(iterations);
            if (steps < 1) throw new ArgumentException("--iterations must be at least 1");
            string recipePath = parse.GetValue(recipe)!;
            var baseOptions = HdrUp.Training.Train.TrainOptions.Load(recipePath);
            var chosen = parse.GetValue(variants) is { } list
                ? Split(list).Select(HdrUp.Training.Ablation.AblationCatalog.Get).ToList()
                : HdrUp.Training.Ablation.AblationCatalog.All.ToList();
            string root = parse.GetValue(data)!;
            int qpValue = parse.GetValue(qp), cropValue = parse.GetValue(crop), batchValue = parse.GetValue(batch);
            int? width = parse.GetValue(nf);
            var rows = AblationBench.Run(baseOptions, chosen, root, qpValue, steps, cropValue, batchValue, width,
                parse.GetValue(runs)!, Math.Max(1, parse.GetValue(threads)), line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            string budget =
                FormattableString.Invariant($"Budget per variant: {steps:N0} steps, crop {cropValue}, batch {batchValue}, nf {width ?? baseOptions.Network.Nf}, ") +
                FormattableString.Invariant($"from scratch with recipe '{baseOptions.Name}' (Adam lr {baseOptions.Train.Optimizer.Lr:G3}, milestones scaled by {steps}/{baseOptions.Train.TotalIter}, seed {baseOptions.ManualSeed}); ") +
                FormattableString.Invariant($"trained on {Path.GetFullPath(root)} train_sdr/qp{qpValue}, scored on its test split ({rows.FirstOrDefault()?.Score.Frames ?? 0} frames, official protocol). ") +
                "The paper trains 550K steps at crop 160, batch 12: compare rows with each other, not with the paper's numbers.";
            var (markdown, csv) = AblationBench.Render(rows, budget);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "ablation"), markdown, ("csv", csv));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return ablation;
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>FOLDER/NAME-yyyyMMdd-HHmm: the common start of one report's files.</summary>
    private static string ReportStem(string folder, string name) =>
        Path.Combine(folder, $"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}");

    /// <summary>Writes STEM.md, its data twin and any extra files (STEM + suffix) atomically, prints the Markdown.</summary>
    private static void WriteReport(CliRuntime runtime, string stem, string markdown, (string Extension, string Text) data,
        IReadOnlyList<(string Suffix, Action<Stream> Write)>? extras = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stem))!);
        AtomicFile.WriteAllText(stem + ".md", markdown);
        AtomicFile.WriteAllText($"{stem}.{data.Extension}", data.Text);
        foreach (var (suffix, write) in extras ?? [])
            AtomicFile.Write(stem + suffix, write);
        runtime.Console.WriteLine(markdown);
        runtime.Console.MarkupLine($"report: {Markup.Escape(stem)}.md and .{data.Extension}" + string.Concat((extras ?? []).Select(e => ", " + Markup.Escape(e.Suffix))));
    }
}
