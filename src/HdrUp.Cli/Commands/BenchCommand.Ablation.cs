using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Bench.Ablation;
using HdrUp.Training.Train;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
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
                ? BenchArguments.Split(list).Select(HdrUp.Bench.Ablation.AblationCatalog.Get).ToList()
                : HdrUp.Bench.Ablation.AblationCatalog.All.ToList();
            string root = parse.GetValue(data)!;
            int qpValue = parse.GetValue(qp), cropValue = parse.GetValue(crop), batchValue = parse.GetValue(batch);
            int? width = parse.GetValue(nf);
            var rows = AblationBench.Run(baseOptions, chosen, root, qpValue, steps, cropValue, batchValue, width,
                parse.GetValue(runs)!, Math.Max(1, parse.GetValue(threads)), line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            string budget = AblationBench.Budget(baseOptions, root, qpValue, steps, cropValue, batchValue, width, rows.FirstOrDefault()?.Score.Frames ?? 0);
            var (markdown, csv) = AblationBench.Render(rows, budget);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "ablation"), markdown, ("csv", csv));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return ablation;
    }
}
