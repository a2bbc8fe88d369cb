using HdrUp.Training.Dataset;
using HdrUp.Training.Train;

namespace HdrUp.Bench.Ablation;

/// <summary>Where a variant appears in the paper: table number and row label.</summary>
public sealed record PaperRow(int Table, string Row);

/// <summary>
/// One trained configuration of the ablation bench: a registry architecture and a loss, and the paper rows it fills.
/// <paramref name="Marks"/> are the Tab. 2 columns R, X, Y, IFM_D, IFM_N, IFM_ours, L1, L2, L_KIB ("✓", "-", "✓-" for
/// the single-KIB row), null when the variant is not in Tab. 2.
/// </summary>
public sealed record AblationVariant(string Key, string Architecture, string Loss, IReadOnlyList<PaperRow> Rows, string[]? Marks = null);

/// <summary>
/// The paper's ablations (TPAMI §5.3, Tabs. 2, 4, 5) as registry variants (docs/ablations.md). A variant that fills
/// several rows (kpnet-lean = Tab. 2 row 2 = Tab. 4 "×" = Tab. 5 B3) is trained once.
/// </summary>
public static class AblationCatalog
{
    private static string[] M(string r, string x, string y, string d, string n, string ours, string l1, string l2, string lkib) =>
        [r, x, y, d, n, ours, l1, l2, lkib];

    public static IReadOnlyList<AblationVariant> All { get; } =
    [
        new("kpnet-sum-fusion", "kpnet-sum-fusion", "L1", [new(2, "1")], M("✓", "✓", "✓", "-", "-", "-", "✓", "-", "-")),
        new("kpnet-lean", "kpnet-lean", "L1", [new(2, "2"), new(4, "×"), new(5, "B3")], M("✓", "✓", "✓", "-", "-", "✓", "✓", "-", "-")),
        new("kpnet-lean+l2", "kpnet-lean", "L2", [new(2, "3")], M("✓", "✓", "✓", "-", "-", "✓", "-", "✓", "-")),
        new("kpnet-lean+lkib", "kpnet-lean", "LKIB", [new(2, "4")], M("✓", "✓", "✓", "-", "-", "✓", "-", "-", "✓")),
        new("kpnet-single-kib", "kpnet-single-kib", "L1", [new(2, "5")], M("✓-", "✓-", "✓-", "-", "-", "-", "✓", "-", "-")),
        new("kpnet-r-only-no-ifm", "kpnet-r-only-no-ifm", "L1", [new(2, "6")], M("✓", "-", "-", "-", "-", "-", "✓", "-", "-")),
        new("kpnet-no-y-no-ifm", "kpnet-no-y-no-ifm", "L1", [new(2, "7")], M("✓", "✓", "-", "-", "-", "-", "✓", "-", "-")),
        new("kpnet-no-y", "kpnet-no-y", "L1", [new(2, "8")], M("✓", "✓", "-", "-", "-", "✓", "✓", "-", "-")),
        new("kpnet-no-x", "kpnet-no-x", "L1", [new(2, "9")], M("✓", "-", "✓", "-", "-", "✓", "✓", "-", "-")),
        new("kpnet-ifm-d", "kpnet-ifm-d", "L1", [new(2, "10")], M("✓", "✓", "✓", "✓", "-", "-", "✓", "-", "-")),
        new("kpnet-ifm-n", "kpnet-ifm-n", "L1", [new(2, "11")], M("✓", "✓", "✓", "-", "✓", "-", "✓", "-", "-")),
        new("kpnet-norm", "kpnet-norm", "L1", [new(4, "✓")]),
        new("kpnet-b1", "kpnet-b1", "L1", [new(5, "B1")]),
        // The paper's B2 is "two branches with single downsampling" = H + H/2, i.e. kpnet-b12 (not kpnet-b2 = H/2 alone).
        new("kpnet-b12", "kpnet-b12", "L1", [new(5, "B2")]),
    ];

    /// <summary>The variant named <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">Unknown key (the message lists the known ones).</exception>
    public static AblationVariant Get(string key) =>
        All.FirstOrDefault(v => v.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown ablation variant '{key}'; known: {string.Join(", ", All.Select(v => v.Key))}");

    /// <summary>
    /// The options that train <paramref name="variant"/> under the shared budget: the base recipe with the variant's
    /// network and loss, the QP's training folders under <paramref name="dataRoot"/>, <paramref name="iterations"/>
    /// steps at <paramref name="crop"/>/<paramref name="batch"/>, the recipe's LR milestones scaled by
    /// iterations ÷ recipe iterations, from scratch (no pretrained weights), no validation during training (the bench
    /// scores the test split afterwards), a training state every 100 steps (only the newest kept) so a killed bench resumes.
    /// </summary>
    public static TrainOptions Derive(TrainOptions recipe, AblationVariant variant, string dataRoot, int qp, long iterations,
        int crop, int batch, int? nf = null)
    {
        double scale = iterations / (double)recipe.Train.TotalIter;
        long[] milestones = recipe.Train.Scheduler.Milestones.Select(m => (long)Math.Round(m * scale)).Where(m => m > 0 && m < iterations).Distinct().ToArray();
        var options = recipe with
        {
            Name = variant.Key.Replace('+', '_'),
            Datasets = recipe.Datasets with
            {
                Train = recipe.Datasets.Train with
                {
                    DatarootGt = new DatasetLayout(dataRoot).HdrFolder(DatasetLayout.Train),
                    DatarootLq = new DatasetLayout(dataRoot).SdrFolder(DatasetLayout.Train, qp),
                    Qp = qp, GtSize = crop, BatchSize = batch,
                },
                Val = new ValDataOptions { DatarootGt = null, DatarootLq = null },
            },
            Network = new NetworkOptions { Type = variant.Architecture, Nf = nf ?? recipe.Network.Nf },
            Path = new PathOptions(),
            Train = recipe.Train with
            {
                TotalIter = iterations,
                Scheduler = recipe.Train.Scheduler with { Milestones = milestones },
                Loss = recipe.Train.Loss with { Type = variant.Loss },
            },
            Val = recipe.Val with { ValFreq = 0 },
            Logger = recipe.Logger with { SaveCheckpointFreq = Math.Min(100, iterations), KeepStates = 1, PrintFreq = Math.Max(1, Math.Min(recipe.Logger.PrintFreq, iterations)) },
        };
        options.Validate($"ablation {variant.Key}");
        return options;
    }
}
