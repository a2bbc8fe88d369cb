using HdrUp.Bench;
using HdrUp.Cli.Help;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Curve(CommandBuilder b)
    {
        var (speed, quality) = (b.Required<string>("--speed"), b.Required<string>("--quality"));
        var qp = b.Option("--qp", () => 37);
        var size = b.Option("--size", () => "1080p");
        var reference = b.Option("--reference", () => "kpnet (shipped)");
        var onnx = b.Option<bool>("--onnx");
        var output = Output(b);
        b.Action((parse, runtime, _) =>
        {
            foreach (var file in new[] { parse.GetValue(speed)!, parse.GetValue(quality)! })
                if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such report", file);
            var (qpValue, sizeName, onnxTimes) = (parse.GetValue(qp), parse.GetValue(size)!, parse.GetValue(onnx));
            var points = SpeedQualityCurve.Join(parse.GetValue(speed)!, parse.GetValue(quality)!, qpValue, sizeName, onnxTimes);
            string stem = ReportStem(parse, output, "curve");
            string markdown = SpeedQualityCurve.Render(points, parse.GetValue(reference)!, qpValue, sizeName, $"{Path.GetFileName(stem)}.png", onnxTimes);
            return WriteReport(runtime, stem, markdown, ("csv", SpeedQualityCurve.Csv(points)), [(".png", s => SpeedQualityCurve.SavePlot(s, points))]);
        });
    }
}
