using System.CommandLine;
using System.Globalization;
using HdrUp.Bench.Evaluation;
using HdrUp.Core;
using HdrUp.Metrics;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup eval</c>: PSNR, SSIM, MSE, ΔE_ITP (and PU21-PSNR) of predictions against ground truth, as the paper measures them.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var pred = new Option<string>("--pred")
        {
            Description = "Predicted HDR: a folder of 16-bit PQ BT.2020 PNGs (the paper's format), an HDR10 video, or an EXR.",
            Required = true,
        };
        var gt = new Option<string?>("--gt") { Description = "Ground truth, in any of the same forms (PSNR, MSE, SSIM, ΔE_ITP). Optional with --sdr." };
        var sdr = new Option<string?>("--sdr")
        {
            Description = "The SDR input the prediction was made from (video, still, or folder of 8-bit PNGs): adds hue drift (degrees, " +
                          "chroma-weighted, against the input placed by BT.2408) and chroma ratio. Needs no ground truth, so it works on real footage.",
        };
        var json = new Option<string?>("--json") { Description = "Write per-frame values and their means as JSON (keys psnr, mse, ssim, delta_e_itp, hue_drift_deg, chroma_ratio)." };
        var csv = new Option<string?>("--csv") { Description = "Write one CSV row per frame." };
        var ssim = new Option<SsimMode>("--ssim")
        {
            Description = "SSIM protocol: 'Standard' (Wang et al. 2004: 11×11 Gaussian σ=1.5, data range 1) or 'Paper' (the official script: 7×7 box, data range 2).",
            DefaultValueFactory = _ => SsimMode.Standard,
        };
        var pu21 = new Option<bool>("--pu21") { Description = "Also compute PU21-PSNR (Mantiuk & Azimi 2021), on absolute PQ light." };
        var force = new Option<bool>("--force") { Description = "Overwrite existing --json/--csv files." };
        var command = new Command("eval",
            "Compare predicted HDR frames with ground truth: PSNR and MSE on PQ code values (peak 1), SSIM, ΔE_ITP (BT.2124); " +
            "per frame, then the arithmetic mean over frames, as the paper reports them. Frames pair by file name (or the " +
            "paper's 4-digit id) for folders, by order for videos. With --sdr, also how well the prediction keeps the input's colours.");
        foreach (var option in new Option[] { pred, gt, sdr, json, csv, ssim, pu21, force })
            command.Options.Add(option);
        CliRuntime.SetGuardedAction(command, (parse, runtime, ct) => Task.FromResult(Run(runtime,
            new EvalRequest(parse.GetValue(pred)!, parse.GetValue(gt), parse.GetValue(sdr), new MetricOptions { SsimMode = parse.GetValue(ssim), Pu21Psnr = parse.GetValue(pu21) }),
            parse.GetValue(json), parse.GetValue(csv), parse.GetValue(force), ct)));
        return command;
    }

    private static int Run(CliRuntime runtime, EvalRequest request, string? jsonPath, string? csvPath, bool force, CancellationToken cancellationToken)
    {
        foreach (string file in new[] { jsonPath, csvPath }.OfType<string>())
            AtomicFile.RefuseOverwrite(file, force);
        EvalResult? result = null;
        runtime.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("evaluating", autoStart: true);
                var progress = new SynchronousProgress<(int Done, int Total)>(p => (task.MaxValue, task.Value) = (p.Total, p.Done));
                result = EvalJob.Run(request, progress, cancellationToken);
            });
        Print(runtime, result!.Frames, result.Summary, result.Colour, request.Options);
        if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, result.Json());
        if (csvPath is not null) AtomicFile.WriteAllText(csvPath, result.Csv());
        return CliRuntime.ExitOk;
    }

    private static void Print(CliRuntime runtime, IReadOnlyList<EvalFrame> rows, MetricsSummary? summary, ColourFidelity? colour, MetricOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        bool reference = summary is not null, fidelity = colour is not null;
        var table = new Table().AddColumn("frame");
        if (reference)
        {
            table.AddColumn(new TableColumn("PSNR (dB)").RightAligned())
                .AddColumn(new TableColumn($"SSIM ({options.SsimMode.ToString().ToLowerInvariant()})").RightAligned())
                .AddColumn(new TableColumn("MSE").RightAligned()).AddColumn(new TableColumn("ΔE_ITP").RightAligned());
            if (options.Pu21Psnr) table.AddColumn(new TableColumn("PU21-PSNR").RightAligned());
        }
        if (fidelity) table.AddColumn(new TableColumn("hue drift (°)").RightAligned()).AddColumn(new TableColumn("chroma ratio").RightAligned());
        string[] Cells(string name, double psnr, double ssim, double mse, double? deltaE, double? pu21, ColourFidelity? c)
        {
            var cells = new List<string> { name };
            if (reference)
            {
                cells.AddRange([psnr.ToString("F4", inv), ssim.ToString("F5", inv), mse.ToString("F6", inv), deltaE?.ToString("F4", inv) ?? ""]);
                if (options.Pu21Psnr) cells.Add(pu21?.ToString("F4", inv) ?? "");
            }
            if (fidelity) cells.AddRange([c?.HueDriftDegrees.ToString("F2", inv) ?? "", c?.ChromaRatio.ToString("F3", inv) ?? ""]);
            return cells.ToArray();
        }
        const int shown = 20;
        foreach (var row in rows.Take(shown))
        {
            var m = row.Metrics;
            table.AddRow(Cells(Markup.Escape(row.Name), m?.Psnr ?? 0, m?.Ssim ?? 0, m?.Mse ?? 0, m?.DeltaEItp, m?.Pu21Psnr, row.Colour));
        }
        if (rows.Count > shown)
            table.AddRow($"… {rows.Count - shown} more (see --csv)");
        table.AddRow(Cells($"[bold]{(fidelity && !reference ? "all" : "mean of")} {rows.Count}[/]", summary?.Psnr ?? 0, summary?.Ssim ?? 0, summary?.Mse ?? 0, summary?.DeltaEItp, summary?.Pu21Psnr, colour));
        runtime.Console.Write(table);
        if (summary?.PsnrInfiniteFrames > 0)
            runtime.Console.WriteLine($"{summary.PsnrInfiniteFrames} frame(s) are identical (PSNR = ∞) and are left out of the PSNR mean.");
        if (fidelity)
            runtime.Console.WriteLine(string.Create(inv, $"Colour fidelity over {colour!.ChromaticPixels:N0} chromatic, unclipped input pixels (pixel-weighted over all frames; docs/colour.md)."));
    }
}
