using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Training.Dataset;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateQuality(Option<string> output)
    {
        var data = new Option<string>("--data")
        {
            Description = "Dataset root with test_hdr/ and test_sdr/qpNN/ (the layout 'hdrup dataset build' writes).",
            DefaultValueFactory = _ => Path.Combine("data", "out"),
        };
        var qps = new Option<string>("--qp") { Description = "Comma-separated QPs to score.", DefaultValueFactory = _ => "32,37,42,47" };
        var weights = new Option<string[]>("--weights")
        {
            Description = "Extra learned methods as NAME=FILE (a weights file with its model card; use {qp} in FILE for one file per QP), " +
                          "or NAME=FILE@PRECISION to score it in fp32, bf16 (libtorch) or int8 (ONNX Runtime's int8 graph, calibrated on 16 crops " +
                          "of the dataset's train_sdr/qpNN at the QP scored, or on frames of the bundled sample when the dataset has none). " +
                          "The shipped KPNet models are always included as 'kpnet' (fp32).",
            AllowMultipleArgumentsPerToken = true,
        };
        var threads = ThreadsOption();
        var note = new Option<string?>("--caption") { Description = "Text added to the table caption, e.g. how the --weights methods were trained." };
        var figureRows = new Option<int>("--figure-rows")
        {
            Description = "Test frames shown in the crops figure (one PNG per QP: SDR input, each method, ground truth); 0 = no figure.",
            DefaultValueFactory = _ => 3,
        };
        var temporal = new Option<bool>("--temporal")
        {
            Description = "Also measure flicker on the dataset's pan sequences (pan_hdr/, pan_sdr/qpNN/), if it has them.",
            DefaultValueFactory = _ => true,
        };
        var keep = KeepOption();
        var splits = new Option<string?>("--splits") { Description = "Comma-separated splits to score (test, cross). Default: both, where the dataset has the cross split." };
        var quality = new Command("quality",
            "Score every method on the test split (and the cross-grading split, where the dataset has one) in the layout of the paper's Table 1 (QP, method, params, PSNR, SSIM, MSE, ΔE_ITP): " +
            "the non-learned BT.2446 Method A inverse and BT.2408 placement, the shipped KPNet per QP, and any --weights; " +
            "plus a PNG of crops side by side per QP and the flicker index on the pan sequences.");
        foreach (var option in new Option[] { data, qps, weights, threads, note, figureRows, temporal, splits, keep, output })
            quality.Options.Add(option);
        CliRuntime.SetGuardedAction(quality, (parse, runtime, ct) =>
        {
            int[] qpList = BenchArguments.Split(parse.GetValue(qps)!).Select(q => int.TryParse(q, out int v) ? v : throw new ArgumentException($"--qp: '{q}' is not a number")).ToArray();
            int threadCount = Math.Max(1, parse.GetValue(threads));
            string root = parse.GetValue(data)!;
            var methods = QualityMethods.Standard(threadCount, parse.GetValue(weights), parse.GetValue(keep), new DatasetLayout(root).ConversionFolders());
            string stem = ReportStem(parse.GetValue(output)!, "quality");
            var splitList = parse.GetValue(splits) is { } chosen ? BenchArguments.Split(chosen) : QualityBench.Splits(root);
            var (markdown, csv, extras) = QualityBench.Report(root, qpList, methods, splitList, parse.GetValue(figureRows), parse.GetValue(temporal),
                Path.GetFileName(stem), parse.GetValue(note), line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            WriteReport(runtime, stem, markdown, ("csv", csv), extras);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return quality;
    }
}
