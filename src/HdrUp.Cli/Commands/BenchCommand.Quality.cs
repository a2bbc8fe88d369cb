using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Cli.Help;
using HdrUp.Training.Dataset;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Quality(CommandBuilder b)
    {
        var data = b.Option("--data", () => Path.Combine("data", "out"));
        var qps = b.Option("--qp", () => "32,37,42,47");
        var weights = b.Add(new Option<string[]>("--weights") { AllowMultipleArgumentsPerToken = true });
        var threads = Threads(b);
        var note = b.Option<string?>("--caption");
        var figureRows = b.Option("--figure-rows", () => 3);
        var temporal = b.Option("--temporal", () => true);
        var splits = b.Option<string?>("--splits");
        var (keep, output) = (b.Option<bool>("--colour-keep"), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            int[] qpList = BenchArguments.Split(parse.GetValue(qps)!).Select(q => int.TryParse(q, out int v) ? v : throw new ArgumentException($"--qp: '{q}' is not a number")).ToArray();
            string root = parse.GetValue(data)!;
            var methods = QualityMethods.Standard(Math.Max(1, parse.GetValue(threads)), parse.GetValue(weights), parse.GetValue(keep), new DatasetLayout(root).ConversionFolders(),
                paperStyle: true);
            string stem = ReportStem(parse, output, "quality");
            var splitList = parse.GetValue(splits) is { } chosen ? BenchArguments.Split(chosen) : QualityBench.Splits(root);
            var (markdown, csv, extras) = QualityBench.Report(root, qpList, methods, splitList, parse.GetValue(figureRows), parse.GetValue(temporal),
                Path.GetFileName(stem), parse.GetValue(note), runtime.Log, ct);
            return WriteReport(runtime, stem, markdown, ("csv", csv), extras);
        });
    }
}
