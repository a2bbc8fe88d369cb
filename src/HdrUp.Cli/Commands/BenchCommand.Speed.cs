using System.CommandLine;
using HdrUp.Bench;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateSpeed(Option<string> output)
    {
        var models = new Option<string>("--models")
        {
            Description = "Comma-separated architectures from 'hdrup model list'.",
            DefaultValueFactory = _ => "kpnet,kpnet-single-kib,kunet",
        };
        var sizes = new Option<string>("--sizes")
        {
            Description = "Comma-separated frame sizes: 540p, 1080p, 2160p (2160p runs in tiles and takes minutes per model).",
            DefaultValueFactory = _ => "540p,1080p",
        };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per case (the median is reported), after one warm-up.", DefaultValueFactory = _ => 3 };
        var threads = ThreadsOption();
        var speed = new Command("speed",
            "Network throughput (megapixels/s and GFLOP/s) per model and frame size, the same for a single 64→64 3×3 convolution " +
            "as this machine's practical ceiling (the ratio is reported), metric timings at 1080p, and peak memory. " +
            "Timings are medians in one run; compare ratios, not absolute times, across runs.");
        foreach (var option in new Option[] { models, sizes, repeats, threads, output })
            speed.Options.Add(option);
        var onnx = new Option<bool>("--onnx")
        {
            Description = "Also time ONNX Runtime on the same frames for the KPNet-family models (same threads, runs interleaved) " +
                          "and report its time ratio to TorchSharp and the largest output difference (same padding and tiles).",
        };
        speed.Options.Add(onnx);
        var bf16 = new Option<bool>("--bf16")
        {
            Description = "Also time libtorch in bfloat16 (weights and activations; frames in and out fp32) on the same frames, runs " +
                          "interleaved, with a bf16 convolution ceiling, and report its time ratio to fp32 and the largest output difference.",
        };
        speed.Options.Add(bf16);
        var int8 = new Option<bool>("--int8")
        {
            Description = "Also time ONNX Runtime on the int8 graph (int8 weights per output channel, uint8 activations calibrated on frames of the " +
                          "bundled sample; made before timing) for the KPNet-family models, beside ONNX Runtime fp32 (implied), runs interleaved, and " +
                          "report its time ratio to both fp32 paths and its output difference (max abs, PSNR) to libtorch fp32.",
        };
        speed.Options.Add(int8);
        CliRuntime.SetGuardedAction(speed, (parse, runtime, ct) =>
        {
            string[] modelNames = BenchArguments.Architectures(parse.GetValue(models)!);
            string[] sizeNames = BenchArguments.FrameSizes(parse.GetValue(sizes)!, "--sizes");
            int repeatCount = parse.GetValue(repeats);
            if (repeatCount < 1) throw new ArgumentException("--repeats must be at least 1");

            SpeedReport report = SpeedBench.Run(modelNames, sizeNames, repeatCount, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct, parse.GetValue(onnx), parse.GetValue(bf16), parse.GetValue(int8));
            var (json, markdown) = SpeedBench.Render(report);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "speed"), markdown, ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return speed;
    }
}
