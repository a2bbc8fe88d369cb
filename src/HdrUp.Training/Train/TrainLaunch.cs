using HdrUp.Models.Precision;

namespace HdrUp.Training.Train;

/// <summary>
/// What <c>hdrup train</c> starts from: the recipe (a file, or the state's own options when resuming without one), the
/// training state to resume (given, or the newest in the run folder), the run folder, and the header line that says so.
/// </summary>
public sealed record TrainLaunch(TrainOptions Options, string OutDir, string? StatePath)
{
    /// <param name="optionsFile">The recipe; optional when resuming.</param>
    /// <param name="resume">Null: a fresh run; empty: the newest state in the run folder; else that state file.</param>
    /// <param name="outDir">The run folder; null: runs/NAME.</param>
    /// <param name="overrides">The command line's changes to the recipe.</param>
    public static TrainLaunch Resolve(string? optionsFile, string? resume, string? outDir, Func<TrainOptions, TrainOptions> overrides)
    {
        TrainOptions? options = optionsFile is null ? null : TrainOptions.Load(optionsFile);
        string? statePath = null;
        if (resume is not null)
        {
            statePath = resume;
            if (statePath.Length == 0)
            {
                string dir = outDir ?? (options is null ? throw new ArgumentException("--resume without a file needs --out or --options to find the run.") : Path.Combine("runs", options.Name));
                statePath = TrainingState.Latest(Path.Combine(dir, "training_states"))
                            ?? throw new FileNotFoundException($"{Path.Combine(dir, "training_states")}: no training state to resume.");
            }
            options ??= TrainingState.ReadInfo(statePath).Options;
        }
        if (options is null) throw new ArgumentException("--options FILE is required (or --resume to continue a run).");
        options = overrides(options);
        options.Validate(optionsFile ?? statePath ?? "options");
        return new TrainLaunch(options, outDir ?? Path.Combine("runs", options.Name), statePath);
    }

    /// <summary>The run in one line: network, crop, batch, steps, threads, arithmetic and CPU, folder, state resumed.</summary>
    public string Describe() =>
        $"{Options.Name}: {Options.Network.Type} nf {Options.Network.Nf}, crop {Options.Datasets.Train.GtSize}, batch {Options.Datasets.Train.BatchSize}, " +
        $"{Options.Train.TotalIter} iterations, {Options.Threads} threads, {Options.Precision.Resolve().Name()} compute ({CpuFeatures.Current.Describe()}) → {OutDir}" +
        (StatePath is null ? "" : $" (resuming {StatePath})");

    /// <summary>The result in one line: steps, wall time, validation, files.</summary>
    public static string Describe(TrainResult result) =>
        $"done: {result.Iteration} iterations in {TimeSpan.FromSeconds(result.WallSeconds):hh\\:mm\\:ss}; " +
        $"val PSNR {TrainProgress.Format(result.ValPsnr, "F3")} dB, ΔE_ITP {TrainProgress.Format(result.ValDeltaEItp, "F3")}; weights {result.WeightsPath}; state {result.LastStatePath ?? "-"}";
}
