using System.CommandLine;
using HdrUp.Bench.Reports;
using HdrUp.Cli.Help;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup bench …</c>: throughput, quality, colour fidelity and the paper's tables, written as reports (HdrUp.Bench); one file a subcommand.</summary>
internal static partial class BenchCommand
{
    public static Command Create() => new CommandBuilder("bench")
        .Subcommand("speed", Speed)
        .Subcommand("convert", Convert)
        .Subcommand("profile", Profile)
        .Subcommand("curve", Curve)
        .Subcommand("card", Card)
        .Subcommand("probe", Probe)
        .Subcommand("quality", Quality)
        .Subcommand("clips", Clips)
        .Subcommand("ablation", Ablation)
        .Command;

    // The options every subcommand words alike (help.txt: 'bench --NAME').
    private static Option<string> Models(CommandBuilder b, string defaults) => b.Option("--models", () => defaults);
    private static Option<int> Threads(CommandBuilder b) => b.Option("--threads", () => Environment.ProcessorCount);
    private static Option<string> Output(CommandBuilder b) => b.Option("--out", () => Path.Combine("bench", "results"));

    /// <summary>Writes the report's files (<see cref="BenchReport"/>), prints the Markdown and where the files are.</summary>
    private static int WriteReport(CliRuntime runtime, string stem, string markdown, (string Extension, string Text) data,
        IReadOnlyList<(string Suffix, Action<Stream> Write)>? extras = null)
    {
        BenchReport.Write(stem, markdown, data, extras);
        runtime.Console.WriteLine(markdown);
        runtime.Console.MarkupLine($"report: {Markup.Escape(stem)}.md and .{data.Extension}" + string.Concat((extras ?? []).Select(e => ", " + Markup.Escape(e.Suffix))));
        return CliRuntime.ExitOk;
    }

    private static string ReportStem(ParseResult parse, Option<string> output, string name) => BenchReport.Stem(parse.GetValue(output)!, name);

    /// <summary>An option's value that must be at least 1, or a one-line error naming the option.</summary>
    private static int AtLeastOne(ParseResult parse, Option<int> option) =>
        parse.GetValue(option) is int value and >= 1 ? value : throw new ArgumentException($"{option.Name} must be at least 1");
}
