using HdrUp.Bench;
using HdrUp.Cli.Help;
using HdrUp.Training.Dataset;
using HdrUp.Training.Train;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static void Probe(CommandBuilder b)
    {
        var weights = b.Required<string>("--weights");
        var data = b.Option("--data", () => Path.Combine("data", "out"));
        var qp = b.Option("--qp", () => 37);
        var marks = b.Option("--iterations", () => "500,5000,10000");
        var (crop, batch) = (b.Option("--crop", () => 64), b.Option("--batch", () => 4));
        var (threads, output) = (Threads(b), Output(b));
        b.Action((parse, runtime, ct) =>
        {
            string file = parse.GetValue(weights)!;
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            long[] steps = BenchArguments.Split(parse.GetValue(marks)!).Select(m => long.TryParse(m, out long v) && v >= 0 ? v : throw new ArgumentException($"--iterations: '{m}' is not a step count")).ToArray();
            var (layout, qpValue) = (new DatasetLayout(parse.GetValue(data)!), parse.GetValue(qp));
            var loader = new TrainDataOptions
            {
                DatarootGt = layout.HdrFolder(DatasetLayout.Train), DatarootLq = layout.SdrFolder(DatasetLayout.Train, qpValue), Qp = qpValue,
                GtSize = parse.GetValue(crop), BatchSize = parse.GetValue(batch),
            };
            if (!Directory.Exists(loader.DatarootLq)) throw new DirectoryNotFoundException($"{loader.DatarootLq}: no training SDR at QP {qpValue}");
            var (markdown, csv) = CardAndProbeBench.Probe(file, loader, steps, Math.Max(1, parse.GetValue(threads)), runtime.Log, ct);
            return WriteReport(runtime, ReportStem(parse, output, "probe"), markdown, ("csv", csv));
        });
    }
}
