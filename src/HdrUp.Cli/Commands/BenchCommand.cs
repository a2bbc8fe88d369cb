using System.CommandLine;
using System.Globalization;
using HdrUp.Bench;
using HdrUp.Bench.Ablation;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Training.Train;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup bench speed | quality | ablation</c>: throughput, quality on the test split, and the paper's ablation tables, written as reports.</summary>
internal static partial class BenchCommand
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
        var threads = ThreadsOption();
        var output = new Option<string>("--out") { Description = "Folder for the JSON and Markdown reports.", DefaultValueFactory = _ => Path.Combine("bench", "results") };
        var speed = new Command("speed",
            "Network throughput (megapixels/s and GFLOP/s) per model and frame size, the same for a single 64→64 3×3 convolution " +
            "as this machine's practical ceiling (the ratio is reported), metric timings at 1080p, and peak memory. " +
            "Timings are medians in one run; compare ratios, not absolute times, across runs.");
        foreach (var option in new Option[] { models, sizes, repeats, threads, output })
            speed.Options.Add(option);
        var onnx = new Option<bool>("--onnx")
        {
            Description = "Also time ONNX Runtime on the same frames for the KPNet-family models (same threads, runs interleaved) " +
                          "and report its time ratio to TorchSharp and the largest output difference (same padding and tiles).",
        };
        speed.Options.Add(onnx);
        var bf16 = new Option<bool>("--bf16")
        {
            Description = "Also time libtorch in bfloat16 (weights and activations; frames in and out fp32) on the same frames, runs " +
                          "interleaved, with a bf16 convolution ceiling, and report its time ratio to fp32 and the largest output difference.",
        };
        speed.Options.Add(bf16);
        CliRuntime.SetGuardedAction(speed, (parse, runtime, ct) =>
        {
            string[] modelNames = Architectures(parse.GetValue(models)!);
            string[] sizeNames = FrameSizes(parse.GetValue(sizes)!, "--sizes");
            int repeatCount = parse.GetValue(repeats);
            if (repeatCount < 1) throw new ArgumentException("--repeats must be at least 1");

            SpeedReport report = SpeedBench.Run(modelNames, sizeNames, repeatCount, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct, parse.GetValue(onnx), parse.GetValue(bf16));
            var (json, markdown) = SpeedBench.Render(report);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "speed"), markdown, ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        bench.Subcommands.Add(speed);
        bench.Subcommands.Add(CreateConvert(output));
        bench.Subcommands.Add(CreateProfile(output));
        bench.Subcommands.Add(CreateCurve(output));
        bench.Subcommands.Add(CreateCard(output));
        bench.Subcommands.Add(CreateProbe(output));
        bench.Subcommands.Add(CreateQuality(output));
        bench.Subcommands.Add(CreateClips(output));
        bench.Subcommands.Add(CreateAblation(output));
        return bench;
    }

    private static Command CreateConvert(Option<string> output)
    {
        var models = ModelsOption("kpnet");
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated frame sizes: 540p, 1080p, 2160p (2160p converts in tiles).", DefaultValueFactory = _ => "1080p" };
        var frames = new Option<int>("--frames") { Description = "Frames in the generated clip.", DefaultValueFactory = _ => 3 };
        var preset = new Option<string>("--preset") { Description = "x265 preset, as 'hdrup convert --preset'.", DefaultValueFactory = _ => "medium" };
        var threads = ThreadsOption();
        var convert = new Command("convert",
            "Convert a generated SDR clip end to end (decode, network, x265 encode) and report seconds per frame, the ratio of the whole " +
            "conversion to the network time inside it, and this process's peak memory (run one size per call to read that size's peak).");
        foreach (var option in new Option[] { models, sizes, frames, preset, threads, output })
            convert.Options.Add(option);
        CliRuntime.SetGuardedAction(convert, (parse, runtime, ct) =>
        {
            string[] modelNames = Architectures(parse.GetValue(models)!);
            string[] sizeNames = FrameSizes(parse.GetValue(sizes)!, "--sizes");
            int frameCount = parse.GetValue(frames);
            if (frameCount < 1) throw new ArgumentException("--frames must be at least 1");
            var report = ConvertBench.Run(modelNames, sizeNames, frameCount, Math.Max(1, parse.GetValue(threads)), parse.GetValue(preset)!,
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            var (json, markdown) = ConvertBench.Render(report);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "convert"), markdown, ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return convert;
    }

    private static Command CreateProfile(Option<string> output)
    {
        var models = ModelsOption("kpnet");
        var size = new Option<string>("--size") { Description = "Frame size: 540p, 1080p or 2160p (whole frame, no tiles).", DefaultValueFactory = _ => "1080p" };
        var frames = new Option<int>("--frames") { Description = "Profiled frames after one warm-up (times are per frame).", DefaultValueFactory = _ => 1 };
        var depth = new Option<int>("--depth") { Description = "Deepest module level in the table (0 = top-level modules).", DefaultValueFactory = _ => 1 };
        var threads = ThreadsOption();
        var profile = new Command("profile",
            "Time per module of one frame (forward hooks), its convolutions' GFLOP/s against this machine's 64→64 3×3 ceiling, " +
            "and managed allocation per frame: where a model's time goes.");
        foreach (var option in new Option[] { models, size, frames, depth, threads, output })
            profile.Options.Add(option);
        CliRuntime.SetGuardedAction(profile, (parse, runtime, ct) =>
        {
            string[] modelNames = Architectures(parse.GetValue(models)!);
            string sizeName = FrameSizes(parse.GetValue(size)!, "--size").Single();
            int frameCount = parse.GetValue(frames), threadCount = Math.Max(1, parse.GetValue(threads));
            if (frameCount < 1) throw new ArgumentException("--frames must be at least 1");
            Action<string> log = line => runtime.Console.MarkupLine(Markup.Escape(line));
            TorchSharp.torch.set_num_threads(threadCount);
            double ceiling = SpeedBench.ConvCeiling(3, log);
            var markdown = new System.Text.StringBuilder($"# hdrup bench profile — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n\nMachine: {SpeedBench.MachineDescription()}.\n\n");
            var reports = new List<ProfileReport>();
            foreach (string name in modelNames)
            {
                var report = ProfileBench.Run(name, sizeName, frameCount, threadCount, log, ct);
                reports.Add(report);
                markdown.AppendLine(ProfileBench.Render(report, ceiling, parse.GetValue(depth)));
            }
            string json = System.Text.Json.JsonSerializer.Serialize(new { ceiling_gflops = ceiling, profiles = reports },
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower });
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "profile"), markdown.ToString(), ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return profile;
    }

    private static Command CreateCurve(Option<string> output)
    {
        var speed = new Option<string>("--speed") { Description = "A 'bench speed' JSON report that timed the candidates' architectures.", Required = true };
        var quality = new Option<string>("--quality") { Description = "A 'bench quality' CSV that scored the candidates.", Required = true };
        var qp = new Option<int>("--qp") { Description = "QP of the quality rows to plot.", DefaultValueFactory = _ => 37 };
        var size = new Option<string>("--size") { Description = "Frame size of the speed rows to plot.", DefaultValueFactory = _ => "1080p" };
        var reference = new Option<string>("--reference") { Description = "Method the speed-up and ΔPSNR are relative to.", DefaultValueFactory = _ => "kpnet (shipped)" };
        var onnxTimes = new Option<bool>("--onnx") { Description = "Use the ONNX Runtime times of a 'bench speed --onnx' report (what convert runs by default)." };
        var curve = new Command("curve",
            "Join a speed report and a quality CSV into the speed/quality trade-off of the models in both: a numbered scatter PNG " +
            "(seconds per frame on a log scale against PSNR, Pareto front marked) and a Markdown table.");
        foreach (var option in new Option[] { speed, quality, qp, size, reference, onnxTimes, output })
            curve.Options.Add(option);
        CliRuntime.SetGuardedAction(curve, (parse, runtime, _) =>
        {
            foreach (var file in new[] { parse.GetValue(speed)!, parse.GetValue(quality)! })
                if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such report", file);
            int qpValue = parse.GetValue(qp);
            string sizeName = parse.GetValue(size)!;
            bool onnx = parse.GetValue(onnxTimes);
            var points = SpeedQualityCurve.Join(parse.GetValue(speed)!, parse.GetValue(quality)!, qpValue, sizeName, onnx);
            string stem = ReportStem(parse.GetValue(output)!, "curve");
            string plot = $"{Path.GetFileName(stem)}.png";
            string markdown = SpeedQualityCurve.Render(points, parse.GetValue(reference)!, qpValue, sizeName, plot, onnx);
            WriteReport(runtime, stem, markdown, ("csv", SpeedQualityCurve.Csv(points)), [(".png", s => SpeedQualityCurve.SavePlot(s, points))]);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return curve;
    }

    private static Command CreateCard(Option<string> output)
    {
        var weights = new Option<string[]>("--weights")
        {
            Description = "Models to score as NAME=FILE (weights with their model card), e.g. the ablation runs' kpnet-lean and kpnet-single-kib and a KUNet.",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var qp = new Option<int>("--qp") { Description = "x265 intra QP applied to the card's SDR.", DefaultValueFactory = _ => 37 };
        var threads = ThreadsOption();
        var card = new Command("card",
            "The colour-card test of the paper's Fig. 6: a generated chart of saturated patches and gradients, compressed at --qp, mapped " +
            "by each model; ΔE_ITP per patch, at patch edges and inside (ghosting = edge − interior), and the picture side by side.");
        foreach (var option in new Option[] { weights, qp, threads, output })
            card.Options.Add(option);
        CliRuntime.SetGuardedAction(card, (parse, runtime, ct) =>
        {
            var models = ParseNamedFiles(parse.GetValue(weights) ?? []);
            int qpValue = parse.GetValue(qp);
            var (markdown, csv, figure) = CardAndProbeBench.Card(models, qpValue, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            string stem = ReportStem(parse.GetValue(output)!, "card");
            markdown += $"\n![colour card]({Path.GetFileName(stem)}.png) Columns: {string.Join(" | ", figure.Columns(qpValue))}; HDR shown with the SDR preview mapping of 'bench quality'.\n";
            WriteReport(runtime, stem, markdown, ("csv", csv), [(".png", s => figure.Save(qpValue, s))]);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return card;
    }

    private static Command CreateProbe(Option<string> output)
    {
        var weights = new Option<string>("--weights") { Description = "A trained KPNet-family model (weights with its model card).", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset root (train_sdr/qpNN/ and train_hdr/).", DefaultValueFactory = _ => Path.Combine("data", "out") };
        var qp = new Option<int>("--qp") { Description = "QP of the compressed SDR the heads reconstruct.", DefaultValueFactory = _ => 37 };
        var marks = new Option<string>("--iterations") { Description = "Comma-separated head-training step counts to report (the paper: 500,5000,10000).", DefaultValueFactory = _ => "500,5000,10000" };
        var crop = new Option<int>("--crop") { Description = "Training crop side.", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 4 };
        var threads = ThreadsOption();
        var probe = new Command("probe",
            "The information-loss probe of the paper's Table 3: heads trained to reconstruct the compressed SDR input from each branch " +
            "feature of a frozen KPNet; their MSE after the given step counts.");
        foreach (var option in new Option[] { weights, data, qp, marks, crop, batch, threads, output })
            probe.Options.Add(option);
        CliRuntime.SetGuardedAction(probe, (parse, runtime, ct) =>
        {
            string file = parse.GetValue(weights)!;
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            long[] steps = Split(parse.GetValue(marks)!).Select(m => long.TryParse(m, out long v) && v >= 0 ? v : throw new ArgumentException($"--iterations: '{m}' is not a step count")).ToArray();
            string root = parse.GetValue(data)!;
            int qpValue = parse.GetValue(qp);
            var loader = new TrainDataOptions
            {
                DatarootGt = Path.Combine(root, "train_hdr"), DatarootLq = Path.Combine(root, "train_sdr", $"qp{qpValue}"), Qp = qpValue,
                GtSize = parse.GetValue(crop), BatchSize = parse.GetValue(batch),
            };
            if (!Directory.Exists(loader.DatarootLq)) throw new DirectoryNotFoundException($"{loader.DatarootLq}: no training SDR at QP {qpValue}");
            var (markdown, csv) = CardAndProbeBench.Probe(file, loader, steps, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "probe"), markdown, ("csv", csv));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return probe;
    }

    /// <summary>A --weights value NAME=FILE split at its first '='.</summary>
    private static (string Name, string File) NamedFile(string spec)
    {
        string[] parts = spec.Split('=', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : throw new ArgumentException($"--weights {spec}: expected NAME=FILE");
    }

    private static List<(string Name, string File)> ParseNamedFiles(IEnumerable<string> specs)
    {
        var list = new List<(string, string)>();
        foreach (string spec in specs)
        {
            var (name, file) = NamedFile(spec);
            if (name.Length == 0) throw new ArgumentException($"--weights {spec}: expected NAME=FILE");
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            list.Add((name, file));
        }
        if (list.Count == 0) throw new ArgumentException("--weights: give at least one NAME=FILE");
        return list;
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
        var threads = ThreadsOption();
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
        var keep = KeepOption();
        var splits = new Option<string?>("--splits") { Description = "Comma-separated splits to score (test, cross). Default: both, where the dataset has the cross split." };
        var quality = new Command("quality",
            "Score every method on the test split (and the cross-grading split, where the dataset has one) in the layout of the paper's Table 1 (QP, method, params, PSNR, SSIM, MSE, ΔE_ITP): " +
            "the non-learned BT.2446 Method A inverse and BT.2408 placement, the shipped KPNet per QP, and any --weights; " +
            "plus a PNG of crops side by side per QP and the flicker index on the pan sequences.");
        foreach (var option in new Option[] { data, qps, weights, threads, note, figureRows, temporal, splits, keep, output })
            quality.Options.Add(option);
        CliRuntime.SetGuardedAction(quality, (parse, runtime, ct) =>
        {
            int[] qpList = Split(parse.GetValue(qps)!).Select(q => int.TryParse(q, out int v) ? v : throw new ArgumentException($"--qp: '{q}' is not a number")).ToArray();
            int threadCount = Math.Max(1, parse.GetValue(threads));
            var methods = Methods(threadCount, parse.GetValue(weights), parse.GetValue(keep));
            string root = parse.GetValue(data)!;
            Action<string> log = line => runtime.Console.MarkupLine(Markup.Escape(line));
            int testFrames = Directory.Exists(Path.Combine(root, "test_hdr")) ? Directory.GetFiles(Path.Combine(root, "test_hdr"), "*.png").Length : 0;
            var figure = parse.GetValue(figureRows) is > 0 and int n ? new CropFigure(CropFigure.Spread(testFrames, n)) : null;
            var splitList = parse.GetValue(splits) is { } chosen ? Split(chosen) : QualityBench.Splits(root);
            var rows = splitList
                .SelectMany(split => QualityBench.Run(root, qpList, methods, log, ct, split == QualityBench.TestSplit ? figure : null, split)).ToList();
            var temporalRows = parse.GetValue(temporal) ? QualityBench.RunTemporal(root, qpList, methods, log, ct) : [];

            string stem = ReportStem(parse.GetValue(output)!, "quality");
            string caption = $"Quality on the splits of {Path.GetFullPath(root)} ({DateTime.UtcNow:yyyy-MM-dd}): 'test' = held-out photographs with " +
                             "SDR made like the paper-style training data (BT.2446 C, x265 intra); 'cross' = the same crops with SDR from tone operators and codecs " +
                             "training never uses (docs/dataset.md). Means over frames of PSNR/MSE on PQ code values (peak 1), SSIM (official protocol: 7×7 box, data range 2) and ΔE_ITP, " +
                             "outputs clamped and quantised to 16 bits as the official test script does; hue drift and chroma ratio against the SDR input placed by BT.2408 " +
                             "(docs/colour.md). 'paper params' is the paper's Params column." +
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

    /// <summary>The methods every quality table scores: the two non-learned mappings, the shipped KPNet per QP, and each --weights NAME=FILE.</summary>
    private static List<QualityMethod> Methods(int threadCount, string[]? weights, bool colourKeep)
    {
        var methods = new List<QualityMethod>
        {
            new("BT.2446 Method A inverse", () => null, _ => new HdrUp.Color.Bt2446AInverseMapper()),
            new("BT.2408 placement (203 cd/m²)", () => null, _ => new HdrUp.Color.Bt2408SdrMapper()),
        };
        var shipped = Conversion.ShippedModels.ByQp();
        var learned = new List<QualityMethod> { QualityBench.LearnedMethod("kpnet (shipped)", qp => shipped.TryGetValue(qp, out string? file) ? file : null, threadCount) };
        foreach (string spec in weights ?? [])
        {
            var (name, file) = NamedFile(spec);
            learned.Add(QualityBench.LearnedMethod(name, qp => file.Replace("{qp}", qp.ToString(CultureInfo.InvariantCulture)), threadCount));
        }
        foreach (var method in learned)
        {
            methods.Add(method);
            // convert --colour keep: the same loaded model (asked for right after, so not loaded again), its colours locked to the input.
            if (colourKeep)
                methods.Add(new QualityMethod(method.Name + " + colour keep", method.Parameters,
                    qp => method.MapperForQp(qp) is { } m ? new HdrUp.Color.HueLockedMapper(m) : null, method.Architecture));
        }
        return methods;
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
            Description = "Comma-separated variants (default all): " + string.Join(", ", HdrUp.Bench.Ablation.AblationCatalog.All.Select(v => v.Key)) + ".",
        };
        var runs = new Option<string>("--runs") { Description = "Folder for the training runs.", DefaultValueFactory = _ => Path.Combine("runs", "ablation") };
        var threads = ThreadsOption();
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
                ? Split(list).Select(HdrUp.Bench.Ablation.AblationCatalog.Get).ToList()
                : HdrUp.Bench.Ablation.AblationCatalog.All.ToList();
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

    private static Option<string> ModelsOption(string defaults) =>
        new("--models") { Description = "Comma-separated architectures from 'hdrup model list'.", DefaultValueFactory = _ => defaults };

    private static Option<bool> KeepOption() =>
        new("--colour-keep") { Description = "Also score each learned method with 'convert --colour keep' (its colours locked to the input's)." };

    private static Option<int> ThreadsOption() =>
        new("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };

    /// <summary>The registered architectures in a comma-separated --models value.</summary>
    private static string[] Architectures(string list)
    {
        string[] names = Split(list);
        foreach (string name in names)
            if (!ArchRegistry.Contains(name)) throw new ArgumentException($"--models: unknown architecture '{name}' (see 'hdrup model list')");
        return names;
    }

    /// <summary>The frame sizes in a comma-separated value of <paramref name="option"/>.</summary>
    private static string[] FrameSizes(string list, string option)
    {
        string[] names = Split(list);
        foreach (string size in names)
            if (!SpeedBench.Sizes.Any(s => s.Name == size))
                throw new ArgumentException($"{option}: unknown size '{size}'; use {string.Join(", ", SpeedBench.Sizes.Select(s => s.Name))}");
        return names;
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
