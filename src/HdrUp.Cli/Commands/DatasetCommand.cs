using System.CommandLine;
using HdrUp.Cli.Help;
using HdrUp.Training.Dataset;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary>
/// <c>hdrup dataset samples|build</c>: fetch the registry-shipped HDR sources and turn them into KPNet training pairs
/// (docs/dataset.md). The work is in HdrUp.Training.Dataset; this parses options and draws progress.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create() => new CommandBuilder("dataset")
        .Subcommand("samples", b =>
        {
            var dir = b.Option("--dir", () => "data");
            b.Action(async (parse, runtime, ct) =>
            {
                SampleFetchResult result = null!;
                await runtime.Console.Status().StartAsync("fetching", async context =>
                    result = await SampleFetcher.FetchAsync(parse.GetValue(dir)!, new Progress<SampleProgress>(p => context.Status(Markup.Escape(p.Message))), ct));
                runtime.Write(result.ToTable());
                return CliRuntime.ExitOk;
            });
        })
        .Subcommand("build", b =>
        {
            var sources = b.Option("--sources", () => DatasetLayout.SourcesFolder("data"));
            var output = b.Option("--out", () => DatasetLayout.Default.Root);
            var qp = b.Option("--qp", () => "32,37,42,47");
            var size = b.Option("--size", () => "256");
            var sdr = b.Option("--sdr", () => SdrTone.Bt2446C);
            var paperShare = b.Option("--paper-share", () => SdrDegradation.DefaultPaperShare);
            var pans = b.Option("--pans", () => 4);
            var preset = b.Option("--x265-preset", () => "medium");
            b.Action(async (parse, runtime, ct) =>
            {
                var (width, height) = DatasetBuildOptions.ParseSize(parse.GetValue(size)!);
                var options = new DatasetBuildOptions
                {
                    SourcesDir = parse.GetValue(sources)!, OutDir = parse.GetValue(output)!, Qps = DatasetBuildOptions.ParseQps(parse.GetValue(qp)!),
                    Width = width, Height = height, Sdr = parse.GetValue(sdr), PaperShare = parse.GetValue(paperShare), PanCount = parse.GetValue(pans),
                    X265Preset = parse.GetValue(preset)!,
                };
                DatasetBuildResult result = null!;
                await runtime.Console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        // One bar a split, made when the split first reports.
                        var tasks = new Dictionary<string, ProgressTask>();
                        result = await DatasetBuilder.BuildAsync(options, new Progress<BuildProgress>(p =>
                        {
                            if (!tasks.TryGetValue(p.Split, out var task)) tasks[p.Split] = task = context.AddTask(p.Split);
                            (task.Description, task.MaxValue, task.Value) = (Markup.Escape($"{p.Split}: {p.Stage}"), Math.Max(1, p.Total), p.Done);
                        }), ct);
                        foreach (var task in tasks.Values) task.Value = task.MaxValue;
                    });
                runtime.Write(result.ToTable());
                return CliRuntime.ExitOk;
            });
        })
        .Command;
}
