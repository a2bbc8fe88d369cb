using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrUp.Media;
using HdrUp.Metrics;
using HdrUp.Training.Train;
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
        var gt = new Option<string>("--gt") { Description = "Ground truth, in any of the same forms.", Required = true };
        var json = new Option<string?>("--json") { Description = "Write per-frame values and their means as JSON (keys psnr, mse, ssim, delta_e_itp)." };
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
            "paper's 4-digit id) for folders, by order for videos.");
        foreach (var option in new Option[] { pred, gt, json, csv, ssim, pu21, force })
            command.Options.Add(option);
        CliRuntime.SetGuardedAction(command, (parse, runtime, ct) => Task.FromResult(Run(runtime,
            parse.GetValue(pred)!, parse.GetValue(gt)!, parse.GetValue(json), parse.GetValue(csv),
            new MetricOptions { SsimMode = parse.GetValue(ssim), Pu21Psnr = parse.GetValue(pu21) }, parse.GetValue(force), ct)));
        return command;
    }

    private sealed record FrameRow(string Name, FrameMetrics Metrics);

    private static int Run(CliRuntime runtime, string predPath, string gtPath, string? jsonPath, string? csvPath,
        MetricOptions options, bool force, CancellationToken cancellationToken)
    {
        foreach (string? file in new[] { jsonPath, csvPath })
        {
            if (file is not null && File.Exists(file) && !force)
                throw new IOException($"{Path.GetFileName(file)}: already exists; pass --force to overwrite it");
        }
        var predicted = HdrFrameSource.Open(predPath, cancellationToken);
        var truth = HdrFrameSource.Open(gtPath, cancellationToken);
        bool byName = predicted.Kind == "png folder" && truth.Kind == "png folder";
        if (byName && predicted.Count != truth.Count)
            throw new InvalidDataException($"{predPath}: {predicted.Count} frames but {gtPath} has {truth.Count}");

        var rows = new List<FrameRow>();
        runtime.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("evaluating", maxValue: Math.Max(1, Math.Min(predicted.Count, truth.Count)));
                using var predFrames = predicted.ReadFrames(cancellationToken).GetEnumerator();
                using var gtFrames = truth.ReadFrames(cancellationToken).GetEnumerator();
                while (true)
                {
                    bool hasPred = predFrames.MoveNext(), hasGt = gtFrames.MoveNext();
                    if (!hasPred || !hasGt)
                    {
                        if (hasPred != hasGt)
                            throw new InvalidDataException($"{(hasPred ? gtPath : predPath)}: ran out of frames after {rows.Count}; the other input has more");
                        break;
                    }
                    var (p, g) = (predFrames.Current, gtFrames.Current);
                    if (byName && !SameFrame(p.Name, g.Name))
                        throw new InvalidDataException($"{p.Name}.png has no counterpart in {gtPath} (next there: {g.Name}.png); frames pair by name or 4-digit id");
                    if (p.Frame.Width != g.Frame.Width || p.Frame.Height != g.Frame.Height)
                        throw new InvalidDataException($"{p.Name}: prediction is {p.Frame.Width}×{p.Frame.Height} but ground truth {g.Name} is {g.Frame.Width}×{g.Frame.Height}");
                    rows.Add(new FrameRow(g.Name, FrameEvaluator.Evaluate(p.Frame, g.Frame, options)));
                    task.Increment(1);
                }
            });

        var summary = MetricsSummary.From(rows.Select(r => r.Metrics).ToList());
        Print(runtime, rows, summary, options);
        if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, Json(rows, summary, options, predPath, gtPath));
        if (csvPath is not null) AtomicFile.WriteAllText(csvPath, Csv(rows));
        return CliRuntime.ExitOk;
    }

    /// <summary>Same name, or the same paper id (the integer in the first four characters), as the official metric script pairs files.</summary>
    private static bool SameFrame(string a, string b) =>
        a == b || (a.Length >= 4 && b.Length >= 4 && int.TryParse(a[..4], out int ia) && int.TryParse(b[..4], out int ib) && ia == ib);

    private static void Print(CliRuntime runtime, List<FrameRow> rows, MetricsSummary summary, MetricOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("frame").AddColumn(new TableColumn("PSNR (dB)").RightAligned())
            .AddColumn(new TableColumn($"SSIM ({options.SsimMode.ToString().ToLowerInvariant()})").RightAligned())
            .AddColumn(new TableColumn("MSE").RightAligned()).AddColumn(new TableColumn("ΔE_ITP").RightAligned());
        if (options.Pu21Psnr) table.AddColumn(new TableColumn("PU21-PSNR").RightAligned());
        const int shown = 20;
        foreach (var row in rows.Take(shown))
            table.AddRow(Cells(Markup.Escape(row.Name), row.Metrics.Psnr, row.Metrics.Ssim, row.Metrics.Mse, row.Metrics.DeltaEItp, row.Metrics.Pu21Psnr, options, inv));
        if (rows.Count > shown)
            table.AddRow($"… {rows.Count - shown} more (see --csv)");
        table.AddRow(Cells($"[bold]mean of {summary.Frames}[/]", summary.Psnr, summary.Ssim, summary.Mse, summary.DeltaEItp, summary.Pu21Psnr, options, inv));
        runtime.Console.Write(table);
        if (summary.PsnrInfiniteFrames > 0)
            runtime.Console.WriteLine($"{summary.PsnrInfiniteFrames} frame(s) are identical (PSNR = ∞) and are left out of the PSNR mean.");
    }

    private static string[] Cells(string name, double psnr, double ssim, double mse, double? deltaE, double? pu21, MetricOptions options, CultureInfo inv)
    {
        var cells = new List<string> { name, psnr.ToString("F4", inv), ssim.ToString("F5", inv), mse.ToString("F6", inv), deltaE?.ToString("F4", inv) ?? "" };
        if (options.Pu21Psnr) cells.Add(pu21?.ToString("F4", inv) ?? "");
        return cells.ToArray();
    }

    private static string Json(List<FrameRow> rows, MetricsSummary summary, MetricOptions options, string pred, string gt)
    {
        var document = new
        {
            pred = Path.GetFullPath(pred),
            gt = Path.GetFullPath(gt),
            ssim_mode = options.SsimMode.ToString().ToLowerInvariant(),
            mean = summary,
            frames = rows.Select(r => new { name = r.Name, metrics = r.Metrics }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
    }

    private static string Csv(List<FrameRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("frame,psnr,mse,ssim,delta_e_itp,pu21_psnr\n");
        foreach (var row in rows)
        {
            var m = row.Metrics;
            sb.Append(inv, $"{row.Name},{m.Psnr:R},{m.Mse:R},{m.Ssim:R},{m.DeltaEItp?.ToString("R", inv)},{m.Pu21Psnr?.ToString("R", inv)}\n");
        }
        return sb.ToString();
    }
}
