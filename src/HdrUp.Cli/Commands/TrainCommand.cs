using System.CommandLine;
using System.Globalization;
using HdrUp.Core;
using HdrUp.Models.Precision;
using HdrUp.Training.Train;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary>
/// <c>hdrup train</c>: the KPNet training protocol (docs/training.md). Options come from a recipe file in
/// <c>options/</c> (or, when resuming without one, from the training state); a few flags override it. The work is in
/// HdrUp.Training.Train; this parses, draws progress (bar with it/s and ETA, or a line per 50 iterations when the
/// output is not a terminal) and reports the result. Ctrl-C saves the training state at the last finished step.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var optionsFile = new Option<string?>("--options", "-opt") { Description = "Recipe JSON (options/*.json). Optional with --resume: the state's own options are used." };
        var output = new Option<string?>("--out") { Description = "Run folder (training_states/, models/, train_log.csv, train_curves.png). Default runs/<name>." };
        var resume = new Option<string?>("--resume") { Description = "Continue exactly from a .state file; without a value, from the newest in <out>/training_states.", Arity = ArgumentArity.ZeroOrOne };
        var init = new Option<string?>("--init") { Description = "Start from these weights (.safetensors or .pth; fine-tuning) instead of the default initialisation." };
        var iterations = new Option<long?>("--iterations") { Description = "Total optimiser steps (train.total_iter)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size (datasets.train.batch_size)." };
        var crop = new Option<int?>("--crop") { Description = "Square crop side (datasets.train.gt_size)." };
        var valEvery = new Option<long?>("--val-every") { Description = "Validate every N steps (val.val_freq; 0 = only at the end)." };
        var checkpointEvery = new Option<long?>("--checkpoint-every") { Description = "Save the training state every N steps (logger.save_checkpoint_freq)." };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (results are reproducible per thread count)." };
        var precision = new Option<string?>("--precision") { Description = "auto|fp32|bf16: arithmetic of forward and backward (precision). bf16 = bfloat16 compute with fp32 master weights; auto (default) = bf16 where the CPU has AVX512-BF16 or AMX." };
        var command = new Command("train", "Train an SDR→HDR network with the official KPNet protocol (L1, Adam, MultiStepLR, crops with flips).")
        {
            optionsFile, output, resume, init, iterations, batch, crop, valEvery, checkpointEvery, threads, precision,
        };
        CliRuntime.SetGuardedAction(command, async (parse, runtime, ct) =>
        {
            string? file = parse.GetValue(optionsFile);
            bool resuming = parse.GetResult(resume) is not null;
            string? outDir = parse.GetValue(output);
            TrainOptions? options = file is null ? null : TrainOptions.Load(file);
            string? statePath = null;
            if (resuming)
            {
                statePath = parse.GetValue(resume);
                if (string.IsNullOrEmpty(statePath))
                {
                    string dir = outDir ?? (options is null ? throw new ArgumentException("--resume without a file needs --out or --options to find the run.") : Path.Combine("runs", options.Name));
                    statePath = TrainingState.Latest(Path.Combine(dir, "training_states"))
                                ?? throw new FileNotFoundException($"{Path.Combine(dir, "training_states")}: no training state to resume.");
                }
                options ??= TrainingState.ReadInfo(statePath).Options;
            }
            if (options is null) throw new ArgumentException("--options FILE is required (or --resume to continue a run).");
            options = options.WithOverrides( parse.GetValue(iterations), parse.GetValue(batch), parse.GetValue(crop),
                parse.GetValue(valEvery), parse.GetValue(checkpointEvery), parse.GetValue(threads), parse.GetValue(init), parse.GetValue(precision));
            options.Validate(file ?? statePath ?? "options");
            outDir ??= Path.Combine("runs", options.Name);

            runtime.Console.MarkupLine(Markup.Escape(
                $"{options.Name}: {options.Network.Type} nf {options.Network.Nf}, crop {options.Datasets.Train.GtSize}, batch {options.Datasets.Train.BatchSize}, " +
                $"{options.Train.TotalIter} iterations, {options.Threads} threads, {options.Precision.Resolve().Name()} compute ({CpuFeatures.Current.Describe()}) → {outDir}" + (statePath is null ? "" : $" (resuming {statePath})")));
            using var trainer = new Trainer(options, outDir);
            TrainResult result;
            if (runtime.Console.Profile.Capabilities.Interactive)
            {
                result = null!;
                await runtime.Console.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("loading data", maxValue: options.Train.TotalIter);
                        var progress = new SynchronousProgress<TrainProgress>(p =>
                        {
                            task.Value = p.Iteration;
                            task.Description = Markup.Escape(p.Describe());
                        });
                        result = await Task.Run(() => trainer.Run(statePath, progress, ct), ct);
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                var lastLine = DateTime.MinValue;
                TrainStage lastStage = TrainStage.Loading;
                var progress = new SynchronousProgress<TrainProgress>(p =>
                {
                    bool due = p.Stage != lastStage || p.Iteration % 50 == 0 || DateTime.UtcNow - lastLine > TimeSpan.FromSeconds(60);
                    lastStage = p.Stage;
                    if (!due) return;
                    lastLine = DateTime.UtcNow;
                    runtime.Console.WriteLine($"{DateTime.Now:HH:mm:ss} {p.Describe()}");
                });
                result = await Task.Run(() => trainer.Run(statePath, progress, ct), ct);
            }
            runtime.Console.MarkupLine(Markup.Escape(
                $"done: {result.Iteration} iterations in {TimeSpan.FromSeconds(result.WallSeconds):hh\\:mm\\:ss}; " +
                $"val PSNR {TrainProgress.Format(result.ValPsnr, "F3")} dB, ΔE_ITP {TrainProgress.Format(result.ValDeltaEItp, "F3")}; weights {result.WeightsPath}; state {result.LastStatePath ?? "-"}"));
            return CliRuntime.ExitOk;
        });
        return command;
    }
}
