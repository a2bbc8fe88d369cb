using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrUp.Core;
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
            parse.GetValue(pred)!, parse.GetValue(gt), parse.GetValue(sdr), parse.GetValue(json), parse.GetValue(csv),
            new MetricOptions { SsimMode = parse.GetValue(ssim), Pu21Psnr = parse.GetValue(pu21) }, parse.GetValue(force), ct)));
        return command;
    }

    private sealed record FrameRow(string Name, FrameMetrics? Metrics, ColourFidelity? Colour);

    private static int Run(CliRuntime runtime, string predPath, string? gtPath, string? sdrPath, string? jsonPath, string? csvPath,
        MetricOptions options, bool force, CancellationToken cancellationToken)
    {
        if (gtPath is null && sdrPath is null) throw new ArgumentException("eval needs --gt (reference metrics), --sdr (colour fidelity), or both");
        foreach (string? file in new[] { jsonPath, csvPath })
        {
            if (file is not null && File.Exists(file) && !force)
                throw new IOException($"{Path.GetFileName(file)}: already exists; pass --force to overwrite it");
        }
        var predicted = HdrFrameSource.Open(predPath, cancellationToken);
        var truth = gtPath is null ? null : HdrFrameSource.Open(gtPath, cancellationToken);
        var input = sdrPath is null ? ((string Kind, IEnumerable<NamedFrame> Frames)?)null : SdrFrameSource.Open(sdrPath, cancellationToken);
        bool byName = predicted.Kind == "png folder" && truth?.Kind == "png folder";
        if (byName && predicted.Count != truth!.Count)
            throw new InvalidDataException($"{predPath}: {predicted.Count} frames but {gtPath} has {truth.Count}");

        var rows = new List<FrameRow>();
        var colour = new ColourFidelityAccumulator();
        runtime.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("evaluating", maxValue: Math.Max(1, Math.Min(predicted.Count, truth?.Count ?? predicted.Count)));
                using var predFrames = predicted.ReadFrames(cancellationToken).GetEnumerator();
                using var gtFrames = truth?.ReadFrames(cancellationToken).GetEnumerator();
                using var sdrFrames = input?.Frames.GetEnumerator();
                while (true)
                {
                    bool hasPred = predFrames.MoveNext();
                    bool hasGt = gtFrames?.MoveNext() ?? hasPred, hasSdr = sdrFrames?.MoveNext() ?? hasPred;
                    if (!hasPred || !hasGt || !hasSdr)
                    {
                        if (hasPred != hasGt || hasPred != hasSdr)
                            throw new InvalidDataException($"{(hasPred ? (!hasGt ? gtPath : sdrPath) : predPath)}: ran out of frames after {rows.Count}; the other input has more");
                        break;
                    }
                    var p = predFrames.Current;
                    FrameMetrics? metrics = null;
                    ColourFidelity? fidelity = null;
                    string name = p.Name;
                    if (gtFrames?.Current is { } g)
                    {
                        if (byName && !SameFrame(p.Name, g.Name))
                            throw new InvalidDataException($"{p.Name}.png has no counterpart in {gtPath} (next there: {g.Name}.png); frames pair by name or 4-digit id");
                        RequireSize(p, g, "ground truth");
                        metrics = FrameEvaluator.Evaluate(p.Frame, g.Frame, options);
                        name = g.Name;
                    }
                    if (sdrFrames?.Current is { } s)
                    {
                        RequireSize(p, s, "SDR input");
                        fidelity = colour.Add(s.Frame, p.Frame);
                    }
                    rows.Add(new FrameRow(name, metrics, fidelity));
                    task.Increment(1);
                }
            });

        var summary = truth is null ? null : MetricsSummary.From(rows.Select(r => r.Metrics!).ToList());
        var colourTotal = input is null ? null : colour.Total;
        Print(runtime, rows, summary, colourTotal, options);
        if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, Json(rows, summary, colourTotal, options, predPath, gtPath, sdrPath));
        if (csvPath is not null) AtomicFile.WriteAllText(csvPath, Csv(rows));
        return CliRuntime.ExitOk;
    }

    private static void RequireSize(NamedFrame p, NamedFrame other, string what)
    {
        if (p.Frame.Width != other.Frame.Width || p.Frame.Height != other.Frame.Height)
            throw new InvalidDataException($"{p.Name}: prediction is {p.Frame.Width}×{p.Frame.Height} but {what} {other.Name} is {other.Frame.Width}×{other.Frame.Height}");
    }

    /// <summary>Same name, or the same paper id (the integer in the first four characters), as the official metric script pairs files.</summary>
    private static bool SameFrame(string a, string b) =>
        a == b || (a.Length >= 4 && b.Length >= 4 && int.TryParse(a[..4], out int ia) && int.TryParse(b[..4], out int ib) && ia == ib);

    private static void Print(CliRuntime runtime, List<FrameRow> rows, MetricsSummary? summary, ColourFidelity? colour, MetricOptions options)
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

    private static string Json(List<FrameRow> rows, MetricsSummary? summary, ColourFidelity? colour, MetricOptions options, string pred, string? gt, string? sdr)
    {
        var document = new
        {
            pred = Path.GetFullPath(pred),
            gt = gt is null ? null : Path.GetFullPath(gt),
            sdr = sdr is null ? null : Path.GetFullPath(sdr),
            ssim_mode = options.SsimMode.ToString().ToLowerInvariant(),
            mean = summary,
            colour,
            frames = rows.Select(r => new { name = r.Name, metrics = r.Metrics, colour = r.Colour }),
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
        var sb = new StringBuilder("frame,psnr,mse,ssim,delta_e_itp,pu21_psnr,hue_drift_deg,chroma_ratio\n");
        foreach (var row in rows)
        {
            var m = row.Metrics;
            var c = row.Colour;
            sb.Append(inv, $"{row.Name},{m?.Psnr.ToString("R", inv)},{m?.Mse.ToString("R", inv)},{m?.Ssim.ToString("R", inv)},{m?.DeltaEItp?.ToString("R", inv)},{m?.Pu21Psnr?.ToString("R", inv)},{c?.HueDriftDegrees.ToString("R", inv)},{c?.ChromaRatio.ToString("R", inv)}\n");
        }
        return sb.ToString();
    }
}
