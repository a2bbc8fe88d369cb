using System.Globalization;
using System.Text;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Bench.Ablation;
using HdrUp.Training.Dataset;
using HdrUp.Training.Train;

namespace HdrUp.Bench;

/// <summary>One trained and scored variant.</summary>
public sealed record AblationRow(AblationVariant Variant, TrainOptions Options, double WallSeconds, QualityRow Score);

/// <summary>
/// <c>hdrup bench ablation</c>: trains every variant of the paper's ablations (<see cref="AblationCatalog"/>) with the
/// same budget through the <see cref="Trainer"/>, scores each on the test split with <see cref="QualityBench"/> (the
/// paper's metrics and protocol) and renders Tables 2, 4 and 5 in the paper's layout.
/// </summary>
public static class AblationBench
{
    public static List<AblationRow> Run(TrainOptions recipe, IReadOnlyList<AblationVariant> variants, string dataRoot, int qp,
        long iterations, int crop, int batch, int? nf, string runsFolder, int threads, Action<string> log, CancellationToken ct)
    {
        var rows = new List<AblationRow>();
        foreach (var variant in variants)
        {
            ct.ThrowIfCancellationRequested();
            var options = AblationCatalog.Derive(recipe, variant, dataRoot, qp, iterations, crop, batch, nf) with { Threads = threads };
            string runDir = Path.Combine(runsFolder, $"qp{qp}", options.Name);
            log($"{variant.Key}: training {options.Network.Type} (nf {options.Network.Nf}, {options.Train.Loss.Type}) for {iterations} steps → {runDir}");
            var (weights, wall) = TrainOrResume(options, runDir, log, ct);
            var method = QualityBench.LearnedMethod(variant.Key, _ => weights, threads);
            var score = QualityBench.Run(dataRoot, [qp], [method], log, ct).Single();
            rows.Add(new AblationRow(variant, options, wall, score));
        }
        return rows;
    }

    // A killed bench loses at most one checkpoint interval: finished variants are kept (their final weights and card
    // record the step count), an unfinished one continues from its newest training state.
    private static (string Weights, double WallSeconds) TrainOrResume(TrainOptions options, string runDir, Action<string> log, CancellationToken ct)
    {
        using var trainer = new Trainer(options, runDir);
        string cardPath = ModelCard.PathFor(trainer.FinalWeightsPath);
        if (File.Exists(trainer.FinalWeightsPath) && File.Exists(cardPath) && ModelCard.Load(cardPath) is { } card
            && card.Iterations == options.Train.TotalIter && card.WallTimeSeconds is double seconds)
        {
            log($"{options.Name}: already trained ({card.Iterations} steps), reusing {trainer.FinalWeightsPath}");
            return (trainer.FinalWeightsPath, seconds);
        }
        string? state = Directory.Exists(trainer.StatesDir) ? TrainingState.Latest(trainer.StatesDir) : null;
        if (state is not null) log($"{options.Name}: resuming from {state}");
        var result = trainer.Run(state, ct: ct);
        return (result.WeightsPath, result.WallSeconds);
    }

    /// <summary>The report's statement of the shared budget and where it was trained and scored.</summary>
    public static string Budget(TrainOptions baseOptions, string root, int qp, long steps, int crop, int batch, int? width, int testFrames) =>
        FormattableString.Invariant($"Budget per variant: {steps:N0} steps, crop {crop}, batch {batch}, nf {width ?? baseOptions.Network.Nf}, ") +
        FormattableString.Invariant($"from scratch with recipe '{baseOptions.Name}' (Adam lr {baseOptions.Train.Optimizer.Lr:G3}, milestones scaled by {steps}/{baseOptions.Train.TotalIter}, seed {baseOptions.ManualSeed}); ") +
        FormattableString.Invariant($"trained on {Path.GetFullPath(new DatasetLayout(root).SdrFolder(DatasetLayout.Train, qp))}, scored on its test split ({testFrames} frames, official protocol). ") +
        "The paper trains 550K steps at crop 160, batch 12: compare rows with each other, not with the paper's numbers.";

    public static (string Markdown, string Csv) Render(IReadOnlyList<AblationRow> rows, string budget)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        string Metrics(QualityRow s) => string.Create(inv, $"{s.Psnr:F4} | {s.Ssim:F5} | {s.DeltaEItp:F4} | {s.Mse:F5}");
        string Params(QualityRow s) => s.Parameters is long n ? n.ToString("N0", inv) : "–";
        IEnumerable<(PaperRow Row, AblationRow Result)> In(int table) => rows
            .SelectMany(r => r.Variant.Rows.Where(p => p.Table == table).Select(p => (p, r)));

        var t2 = In(2).OrderBy(x => int.Parse(x.Row.Row, inv)).ToList();
        if (t2.Count > 0)
        {
            md.AppendLine(inv, $"**Table 2 (reproduced): ablation study, QP {rows[0].Score.Qp}.** {budget}").AppendLine();
            md.AppendLine("| row | R | X | Y | IFM_D | IFM_N | IFM_ours | L1 | L2 | L_KIB | PSNR↑ | SSIM↑ | ΔE_ITP↓ | MSE↓ | variant | params |");
            md.AppendLine("|---:|:-:|:-:|:-:|:-:|:-:|:-:|:-:|:-:|:-:|---:|---:|---:|---:|---|---:|");
            foreach (var (row, r) in t2)
                md.AppendLine(inv, $"| {row.Row} | {string.Join(" | ", r.Variant.Marks!)} | {Metrics(r.Score)} | {r.Variant.Key} | {Params(r.Score)} |");
            md.AppendLine();
        }
        var t4 = In(4).OrderBy(x => x.Row.Row == "✓" ? 0 : 1).ToList();
        if (t4.Count > 0)
        {
            md.AppendLine(inv, $"**Table 4 (reproduced): effect of feature normalisation.** {budget}").AppendLine();
            md.AppendLine("| QP | Normalization | PSNR↑ | SSIM↑ | MSE↓ | ΔE_ITP↓ | variant |");
            md.AppendLine("|---:|:-:|---:|---:|---:|---:|---|");
            foreach (var (row, r) in t4)
                md.AppendLine(inv, $"| QP{r.Score.Qp} | {row.Row} | {r.Score.Psnr:F4} | {r.Score.Ssim:F4} | {r.Score.Mse:F5} | {r.Score.DeltaEItp:F4} | {r.Variant.Key} |");
            md.AppendLine();
        }
        var t5 = In(5).OrderBy(x => x.Row.Row, StringComparer.Ordinal).ToList();
        if (t5.Count > 0)
        {
            md.AppendLine(inv, $"**Table 5 (reproduced): ablation on the feature scales, QP {rows[0].Score.Qp}.** {budget}").AppendLine();
            md.AppendLine("| Methods | PSNR↑ | SSIM↑ | MSE↓ | ΔE_ITP↓ | variant | params |");
            md.AppendLine("|---|---:|---:|---:|---:|---|---:|");
            foreach (var (row, r) in t5)
                md.AppendLine(inv, $"| {row.Row} | {r.Score.Psnr:F4} | {r.Score.Ssim:F4} | {r.Score.Mse:F5} | {r.Score.DeltaEItp:F4} | {r.Variant.Key} | {Params(r.Score)} |");
            md.AppendLine();
        }

        using var csv = CsvTable.ToText(["variant", "architecture", "loss", "paper_rows", "qp", "params", "frames", "iterations", "train_seconds", "psnr", "ssim", "mse", "delta_e_itp"]);
        foreach (var r in rows)
        {
            var s = r.Score;
            using var row = csv.NewRow();
            row["variant"].Set(r.Variant.Key);
            row["architecture"].Set(r.Variant.Architecture);
            row["loss"].Set(r.Variant.Loss);
            row["paper_rows"].Set(string.Join(" ", r.Variant.Rows.Select(p => $"T{p.Table}:{p.Row}")));
            row["qp"].Format(s.Qp);
            row["params"].Set($"{s.Parameters}");
            row["frames"].Format(s.Frames);
            row["iterations"].Format(r.Options.Train.TotalIter);
            row["train_seconds"].Format(r.WallSeconds, "F1");
            row["psnr"].Format(s.Psnr);
            row["ssim"].Format(s.Ssim);
            row["mse"].Format(s.Mse);
            row["delta_e_itp"].Format(s.DeltaEItp);
        }
        return (md.ToString(), csv.ToString());
    }
}
