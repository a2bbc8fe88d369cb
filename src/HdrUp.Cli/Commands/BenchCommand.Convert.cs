using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Cli.Help;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Convert(CommandBuilder b)
    {
        var models = Models(b, "kpnet");
        var sizes = b.Option("--sizes", () => "1080p");
        var frames = b.Option("--frames", () => 3);
        var preset = b.Option("--preset", () => "medium");
        var (threads, output) = (Threads(b), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            var report = ConvertBench.Run(BenchArguments.Architectures(parse.GetValue(models)!), BenchArguments.FrameSizes(parse.GetValue(sizes)!, "--sizes"),
                AtLeastOne(parse, frames), Math.Max(1, parse.GetValue(threads)), parse.GetValue(preset)!, runtime.Log, ct);
            var (json, markdown) = ConvertBench.Render(report);
            return WriteReport(runtime, ReportStem(parse, output, "convert"), markdown, ("json", json));
        });
    }
}
