using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Cli.Help;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Speed(CommandBuilder b)
    {
        var models = Models(b, "kpnet,kpnet-single-kib,kunet");
        var sizes = b.Option("--sizes", () => "540p,1080p");
        var repeats = b.Option("--repeats", () => 3);
        var (threads, output) = (Threads(b), Output(b));
        var (onnx, bf16, int8) = (b.Option<bool>("--onnx"), b.Option<bool>("--bf16"), b.Option<bool>("--int8"));
        b.Action((parse, runtime, ct) =>
        {
            var report = SpeedBench.Run(BenchArguments.Architectures(parse.GetValue(models)!), BenchArguments.FrameSizes(parse.GetValue(sizes)!, "--sizes"),
                AtLeastOne(parse, repeats), Math.Max(1, parse.GetValue(threads)), runtime.Log, ct, parse.GetValue(onnx), parse.GetValue(bf16), parse.GetValue(int8));
            var (json, markdown) = SpeedBench.Render(report);
            return WriteReport(runtime, ReportStem(parse, output, "speed"), markdown, ("json", json));
        });
    }
}
