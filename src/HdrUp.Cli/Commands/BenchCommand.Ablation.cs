using HdrUp.Bench;
using HdrUp.Bench.Ablation;
using HdrUp.Cli.Help;
using HdrUp.Training.Train;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Ablation(CommandBuilder b)
    {
        var data = b.Option("--data", () => Path.Combine("data", "out"));
        var qp = b.Option("--qp", () => 32);
        var iterations = b.Required<long>("--iterations");
        var (crop, batch, nf) = (b.Option("--crop", () => 64), b.Option("--batch", () => 4), b.Option<int?>("--nf"));
        var recipe = b.Option("--recipe", () => Path.Combine("options", "kpnet_qp37_cpu_c64_b4_5k.json"));
        var variants = b.Option<string?>("--variants");
        var runs = b.Option("--runs", () => Path.Combine("runs", "ablation"));
        var (threads, output) = (Threads(b), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            long steps = parse.GetValue(iterations);
            if (steps < 1) throw new ArgumentException("--iterations must be at least 1");
            var baseOptions = TrainOptions.Load(parse.GetValue(recipe)!);
            var chosen = parse.GetValue(variants) is { } list ? BenchArguments.Split(list).Select(AblationCatalog.Get).ToList() : AblationCatalog.All.ToList();
            string root = parse.GetValue(data)!;
            var (qpValue, cropValue, batchValue, width) = (parse.GetValue(qp), parse.GetValue(crop), parse.GetValue(batch), parse.GetValue(nf));
            var rows = AblationBench.Run(baseOptions, chosen, root, qpValue, steps, cropValue, batchValue, width,
                parse.GetValue(runs)!, Math.Max(1, parse.GetValue(threads)), runtime.Log, ct);
            string budget = AblationBench.Budget(baseOptions, root, qpValue, steps, cropValue, batchValue, width, rows.FirstOrDefault()?.Score.Frames ?? 0);
            var (markdown, csv) = AblationBench.Render(rows, budget);
            return WriteReport(runtime, ReportStem(parse, output, "ablation"), markdown, ("csv", csv));
        });
    }
}
