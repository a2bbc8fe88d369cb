using System.CommandLine;
using HdrUp.Bench;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateCurve(Option<string> output)
    {
        var speed = new Option<string>("--speed") { Description = "A 'bench speed' JSON report that timed the candidates' architectures.", Required = true };
        var quality = new Option<string>("--quality") { Description = "A 'bench quality' CSV that scored the candidates.", Required = true };
        var qp = new Option<int>("--qp") { Description = "QP of the quality rows to plot.", DefaultValueFactory = _ => 37 };
        var size = new Option<string>("--size") { Description = "Frame size of the speed rows to plot.", DefaultValueFactory = _ => "1080p" };
        var reference = new Option<string>("--reference") { Description = "Method the speed-up and ΔPSNR are relative to.", DefaultValueFactory = _ => "kpnet (shipped)" };
        var onnxTimes = new Option<bool>("--onnx") { Description = "Use the ONNX Runtime times of a 'bench speed --onnx' report (what convert runs by default)." };
        var curve = new Command("curve",
            "Join a speed report and a quality CSV into the speed/quality trade-off of the models in both: a numbered scatter PNG " +
            "(seconds per frame on a log scale against PSNR, Pareto front marked) and a Markdown table.");
        foreach (var option in new Option[] { speed, quality, qp, size, reference, onnxTimes, output })
            curve.Options.Add(option);
        CliRuntime.SetGuardedAction(curve, (parse, runtime, _) =>
        {
            foreach (var file in new[] { parse.GetValue(speed)!, parse.GetValue(quality)! })
                if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such report", file);
            int qpValue = parse.GetValue(qp);
            string sizeName = parse.GetValue(size)!;
            bool onnx = parse.GetValue(onnxTimes);
            var points = SpeedQualityCurve.Join(parse.GetValue(speed)!, parse.GetValue(quality)!, qpValue, sizeName, onnx);
            string stem = ReportStem(parse.GetValue(output)!, "curve");
            string plot = $"{Path.GetFileName(stem)}.png";
            string markdown = SpeedQualityCurve.Render(points, parse.GetValue(reference)!, qpValue, sizeName, plot, onnx);
            WriteReport(runtime, stem, markdown, ("csv", SpeedQualityCurve.Csv(points)), [(".png", s => SpeedQualityCurve.SavePlot(s, points))]);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return curve;
    }
}
