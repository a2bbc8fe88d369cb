using System.CommandLine;
using System.Globalization;
using HdrUp.Bench;
using HdrUp.Cli.Help;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    /// <summary><c>hdrup bench clips</c>: hue drift and chroma ratio of every method on real SDR clips (<see cref="ClipBench"/>).</summary>
    private static void Clips(CommandBuilder b)
    {
        var clips = b.Argument<string[]>("clips", ArgumentArity.OneOrMore);
        var frames = b.Option("--frames", () => 8);
        var qp = b.Option("--qp", () => "auto");
        var weights = b.Add(new Option<string[]>("--weights") { AllowMultipleArgumentsPerToken = true });
        var (threads, keep) = (Threads(b), b.Option<bool>("--colour-keep"));
        var (note, output) = (b.Option<string?>("--caption"), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            var files = ClipBench.Expand(parse.GetValue(clips)!);
            string qpText = parse.GetValue(qp)!;
            int? fixedQp = qpText == "auto" ? null
                : int.TryParse(qpText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int q) ? q : throw new ArgumentException($"--qp: '{qpText}' is neither auto nor a number");
            var methods = QualityMethods.Standard(Math.Max(1, parse.GetValue(threads)), parse.GetValue(weights), parse.GetValue(keep));
            string stem = ReportStem(parse, output, "clips");
            var (markdown, csv, extras) = ClipBench.Report(files, methods, fixedQp, AtLeastOne(parse, frames), Path.GetFileName(stem), parse.GetValue(note), runtime.Log, ct);
            return WriteReport(runtime, stem, markdown, ("csv", csv), extras);
        });
    }
}
