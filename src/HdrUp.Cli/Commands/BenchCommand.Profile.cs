using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Cli.Help;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Profile(CommandBuilder b)
    {
        var models = Models(b, "kpnet");
        var size = b.Option("--size", () => "1080p");
        var frames = b.Option("--frames", () => 1);
        var depth = b.Option("--depth", () => 1);
        var backend = b.Option("--backend", () => "torch").AcceptOnlyFromAmong("torch", "onnx");
        var precision = b.Option("--precision", () => "fp32").AcceptOnlyFromAmong("fp32", "int8");
        var (threads, output) = (Threads(b), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            var (markdown, json) = ProfileBench.Report(BenchArguments.Architectures(parse.GetValue(models)!), BenchArguments.FrameSizes(parse.GetValue(size)!, "--size").Single(),
                AtLeastOne(parse, frames), Math.Max(1, parse.GetValue(threads)), parse.GetValue(depth), runtime.Log, ct,
                onnx: parse.GetValue(backend) == "onnx", int8: parse.GetValue(precision) == "int8");
            return WriteReport(runtime, ReportStem(parse, output, "profile"), markdown, ("json", json));
        });
    }
}
