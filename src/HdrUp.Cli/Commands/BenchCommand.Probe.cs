using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Training.Dataset;
using HdrUp.Training.Train;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateProbe(Option<string> output)
    {
        var weights = new Option<string>("--weights") { Description = "A trained KPNet-family model (weights with its model card).", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset root (train_sdr/qpNN/ and train_hdr/).", DefaultValueFactory = _ => Path.Combine("data", "out") };
        var qp = new Option<int>("--qp") { Description = "QP of the compressed SDR the heads reconstruct.", DefaultValueFactory = _ => 37 };
        var marks = new Option<string>("--iterations") { Description = "Comma-separated head-training step counts to report (the paper: 500,5000,10000).", DefaultValueFactory = _ => "500,5000,10000" };
        var crop = new Option<int>("--crop") { Description = "Training crop side.", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 4 };
        var threads = ThreadsOption();
        var probe = new Command("probe",
            "The information-loss probe of the paper's Table 3: heads trained to reconstruct the compressed SDR input from each branch " +
            "feature of a frozen KPNet; their MSE after the given step counts.");
        foreach (var option in new Option[] { weights, data, qp, marks, crop, batch, threads, output })
            probe.Options.Add(option);
        CliRuntime.SetGuardedAction(probe, (parse, runtime, ct) =>
        {
            string file = parse.GetValue(weights)!;
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            long[] steps = BenchArguments.Split(parse.GetValue(marks)!).Select(m => long.TryParse(m, out long v) && v >= 0 ? v : throw new ArgumentException($"--iterations: '{m}' is not a step count")).ToArray();
            string root = parse.GetValue(data)!;
            int qpValue = parse.GetValue(qp);
            var loader = new TrainDataOptions
            {
                DatarootGt = new DatasetLayout(root).HdrFolder(DatasetLayout.Train), DatarootLq = new DatasetLayout(root).SdrFolder(DatasetLayout.Train, qpValue), Qp = qpValue,
                GtSize = parse.GetValue(crop), BatchSize = parse.GetValue(batch),
            };
            if (!Directory.Exists(loader.DatarootLq)) throw new DirectoryNotFoundException($"{loader.DatarootLq}: no training SDR at QP {qpValue}");
            var (markdown, csv) = CardAndProbeBench.Probe(file, loader, steps, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "probe"), markdown, ("csv", csv));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return probe;
    }
}
