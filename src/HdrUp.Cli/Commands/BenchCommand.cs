using System.CommandLine;
using HdrUp.Bench.Reports;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup bench speed | quality | ablation</c>: throughput, quality on the test split, and the paper's ablation tables, written as reports.</summary>
internal static partial class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure HdrUp on this machine and write reports to bench/results/.");

        var output = new Option<string>("--out") { Description = "Folder for the JSON and Markdown reports.", DefaultValueFactory = _ => Path.Combine("bench", "results") };
        bench.Subcommands.Add(CreateSpeed(output));
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

    private static Option<string> ModelsOption(string defaults) =>
        new("--models") { Description = "Comma-separated architectures from 'hdrup model list'.", DefaultValueFactory = _ => defaults };

    private static Option<bool> KeepOption() =>
        new("--colour-keep") { Description = "Also score each learned method with 'convert --colour keep' (its colours locked to the input's)." };

    private static Option<int> ThreadsOption() =>
        new("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };

    /// <summary>Writes the report's files (<see cref="BenchReport"/>), prints the Markdown and where the files are.</summary>
    private static void WriteReport(CliRuntime runtime, string stem, string markdown, (string Extension, string Text) data,
        IReadOnlyList<(string Suffix, Action<Stream> Write)>? extras = null)
    {
        BenchReport.Write(stem, markdown, data, extras);
        runtime.Console.WriteLine(markdown);
        runtime.Console.MarkupLine($"report: {Markup.Escape(stem)}.md and .{data.Extension}" + string.Concat((extras ?? []).Select(e => ", " + Markup.Escape(e.Suffix))));
    }

    private static string ReportStem(string folder, string name) => BenchReport.Stem(folder, name);
}
