using System.CommandLine;
using HdrUp.Cli.Help;
using HdrUp.Core;
using HdrUp.Training.Train;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary>
/// <c>hdrup train</c>: the KPNet training protocol (docs/training.md). Options come from a recipe file in
/// <c>options/</c> (or, when resuming without one, from the training state); a few flags override it (<see cref="TrainLaunch"/>).
/// This draws progress: a bar with it/s and ETA, or a line per 50 iterations when the output is not a terminal.
/// Ctrl-C saves the training state at the last finished step.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var b = new CommandBuilder("train");
        var optionsFile = b.Option<string?>("--options", "-opt");
        var output = b.Option<string?>("--out");
        var resume = b.Add(new Option<string?>("--resume") { Arity = ArgumentArity.ZeroOrOne });
        var init = b.Option<string?>("--init");
        var iterations = b.Option<long?>("--iterations");
        var batch = b.Option<int?>("--batch");
        var crop = b.Option<int?>("--crop");
        var valEvery = b.Option<long?>("--val-every");
        var checkpointEvery = b.Option<long?>("--checkpoint-every");
        var threads = b.Option<int?>("--threads");
        var precision = b.Option<string?>("--precision");
        return b.Action(async (parse, runtime, ct) =>
        {
            var launch = TrainLaunch.Resolve(parse.GetValue(optionsFile), parse.GetResult(resume) is null ? null : parse.GetValue(resume) ?? "",
                parse.GetValue(output), o => o.WithOverrides(parse.GetValue(iterations), parse.GetValue(batch), parse.GetValue(crop),
                    parse.GetValue(valEvery), parse.GetValue(checkpointEvery), parse.GetValue(threads), parse.GetValue(init), parse.GetValue(precision)));
            runtime.Log(launch.Describe());
            using var trainer = new Trainer(launch.Options, launch.OutDir);
            Task<TrainResult> Train(IProgress<TrainProgress> progress) => Task.Run(() => trainer.Run(launch.StatePath, progress, ct), ct);
            TrainResult result = null!;
            if (runtime.Console.Profile.Capabilities.Interactive)
            {
                await runtime.Console.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("loading data", maxValue: launch.Options.Train.TotalIter);
                        result = await Train(new SynchronousProgress<TrainProgress>(p => (task.Value, task.Description) = (p.Iteration, Markup.Escape(p.Describe()))));
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                var (lastLine, lastStage) = (DateTime.MinValue, TrainStage.Loading);
                result = await Train(new SynchronousProgress<TrainProgress>(p =>
                {
                    bool due = p.Stage != lastStage || p.Iteration % 50 == 0 || DateTime.UtcNow - lastLine > TimeSpan.FromSeconds(60);
                    lastStage = p.Stage;
                    if (!due) return;
                    lastLine = DateTime.UtcNow;
                    runtime.Console.WriteLine($"{DateTime.Now:HH:mm:ss} {p.Describe()}");
                }));
            }
            runtime.Log(TrainLaunch.Describe(result));
            return CliRuntime.ExitOk;
        });
    }
}
