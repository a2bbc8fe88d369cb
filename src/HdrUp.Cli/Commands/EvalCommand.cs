using System.CommandLine;
using HdrUp.Bench.Evaluation;
using HdrUp.Cli.Help;
using HdrUp.Core;
using HdrUp.Metrics;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup eval</c>: PSNR, SSIM, MSE, ΔE_ITP (and PU21-PSNR) of predictions against ground truth, as the paper measures them (<see cref="EvalJob"/>).</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var b = new CommandBuilder("eval");
        var pred = b.Required<string>("--pred");
        var gt = b.Option<string?>("--gt");
        var sdr = b.Option<string?>("--sdr");
        var json = b.Option<string?>("--json");
        var csv = b.Option<string?>("--csv");
        var ssim = b.Option("--ssim", () => SsimMode.Standard);
        var pu21 = b.Option<bool>("--pu21");
        var force = b.Option<bool>("--force");
        return b.Action((parse, runtime, ct) =>
        {
            string? jsonPath = parse.GetValue(json), csvPath = parse.GetValue(csv);
            foreach (string file in new[] { jsonPath, csvPath }.OfType<string>())
                AtomicFile.RefuseOverwrite(file, parse.GetValue(force));
            var request = new EvalRequest(parse.GetValue(pred)!, parse.GetValue(gt), parse.GetValue(sdr),
                new MetricOptions { SsimMode = parse.GetValue(ssim), Pu21Psnr = parse.GetValue(pu21) });
            var result = runtime.WithProgress("evaluating", progress =>
                EvalJob.Run(request, new SynchronousProgress<(int Done, int Total)>(p => progress.Report((p.Done, p.Total))), ct));
            runtime.Write(result.Table(shownFrames: 20));
            if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, result.Json());
            if (csvPath is not null) AtomicFile.WriteAllText(csvPath, result.Csv());
            return CliRuntime.ExitOk;
        });
    }
}
