using System.CommandLine;
using HdrUp.Bench;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateConvert(Option<string> output)
    {
        var models = ModelsOption("kpnet");
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated frame sizes: 540p, 1080p, 2160p (2160p converts in tiles).", DefaultValueFactory = _ => "1080p" };
        var frames = new Option<int>("--frames") { Description = "Frames in the generated clip.", DefaultValueFactory = _ => 3 };
        var preset = new Option<string>("--preset") { Description = "x265 preset, as 'hdrup convert --preset'.", DefaultValueFactory = _ => "medium" };
        var threads = ThreadsOption();
        var convert = new Command("convert",
            "Convert a generated SDR clip end to end (decode, network, x265 encode) and report seconds per frame, the ratio of the whole " +
            "conversion to the network time inside it, and this process's peak memory (run one size per call to read that size's peak).");
        foreach (var option in new Option[] { models, sizes, frames, preset, threads, output })
            convert.Options.Add(option);
        CliRuntime.SetGuardedAction(convert, (parse, runtime, ct) =>
        {
            string[] modelNames = BenchArguments.Architectures(parse.GetValue(models)!);
            string[] sizeNames = BenchArguments.FrameSizes(parse.GetValue(sizes)!, "--sizes");
            int frameCount = parse.GetValue(frames);
            if (frameCount < 1) throw new ArgumentException("--frames must be at least 1");
            var report = ConvertBench.Run(modelNames, sizeNames, frameCount, Math.Max(1, parse.GetValue(threads)), parse.GetValue(preset)!,
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            var (json, markdown) = ConvertBench.Render(report);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "convert"), markdown, ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return convert;
    }
}
