using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Cli.Help;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Card(CommandBuilder b)
    {
        var weights = b.Add(new Option<string[]>("--weights") { Required = true, AllowMultipleArgumentsPerToken = true });
        var qp = b.Option("--qp", () => 37);
        var (threads, output) = (Threads(b), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            string stem = ReportStem(parse, output, "card");
            var (markdown, csv, extras) = CardAndProbeBench.CardReport(BenchArguments.ParseNamedFiles(parse.GetValue(weights) ?? []), parse.GetValue(qp),
                Math.Max(1, parse.GetValue(threads)), Path.GetFileName(stem), runtime.Log, ct);
            return WriteReport(runtime, stem, markdown, ("csv", csv), extras);
        });
    }
}
