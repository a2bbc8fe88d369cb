using System.Globalization;
using System.Text.Json;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Metrics;

namespace HdrUp.Bench.Evaluation;

/// <summary>What to compare: predictions, and ground truth and/or the SDR input they were made from.</summary>
public sealed record EvalRequest(string Pred, string? Gt, string? Sdr, MetricOptions Options);

/// <summary>One frame's metrics against ground truth (null without --gt) and colour fidelity against the input (null without --sdr).</summary>
public sealed record EvalFrame(string Name, FrameMetrics? Metrics, ColourFidelity? Colour);

/// <summary>Every frame and the means: <see cref="Summary"/> with ground truth, <see cref="Colour"/> (pixel-weighted over all frames) with the input.</summary>
public sealed record EvalResult(EvalRequest Request, IReadOnlyList<EvalFrame> Frames, MetricsSummary? Summary, ColourFidelity? Colour)
{
    /// <summary>Per-frame values and their means as JSON (keys psnr, mse, ssim, delta_e_itp, hue_drift_deg, chroma_ratio).</summary>
    public string Json()
    {
        var document = new
        {
            pred = Path.GetFullPath(Request.Pred),
            gt = Request.Gt is null ? null : Path.GetFullPath(Request.Gt),
            sdr = Request.Sdr is null ? null : Path.GetFullPath(Request.Sdr),
            ssim_mode = Request.Options.SsimMode.ToString().ToLowerInvariant(),
            mean = Summary,
            colour = Colour,
            frames = Frames.Select(r => new { name = r.Name, metrics = r.Metrics, colour = r.Colour }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
    }

    /// <summary>The first <paramref name="shownFrames"/> frames and the means as a table (the rest are in the CSV), with footnotes.</summary>
    public TextTable Table(int shownFrames)
    {
        var inv = CultureInfo.InvariantCulture;
        var options = Request.Options;
        bool reference = Summary is not null, fidelity = Colour is not null;
        var headers = new List<string> { "frame" };
        if (reference)
        {
            headers.AddRange(["PSNR (dB)", $"SSIM ({options.SsimMode.ToString().ToLowerInvariant()})", "MSE", "ΔE_ITP"]);
            if (options.Pu21Psnr) headers.Add("PU21-PSNR");
        }
        if (fidelity) headers.AddRange(["hue drift (°)", "chroma ratio"]);
        var table = new TextTable([.. headers]).Right([.. Enumerable.Range(1, headers.Count - 1)]);
        string[] Cells(string name, double? psnr, double? ssim, double? mse, double? deltaE, double? pu21, ColourFidelity? c)
        {
            var cells = new List<string> { name };
            if (reference)
            {
                cells.AddRange([(psnr ?? 0).ToString("F4", inv), (ssim ?? 0).ToString("F5", inv), (mse ?? 0).ToString("F6", inv), deltaE?.ToString("F4", inv) ?? ""]);
                if (options.Pu21Psnr) cells.Add(pu21?.ToString("F4", inv) ?? "");
            }
            if (fidelity) cells.AddRange([c?.HueDriftDegrees.ToString("F2", inv) ?? "", c?.ChromaRatio.ToString("F3", inv) ?? ""]);
            return [.. cells];
        }
        foreach (var frame in Frames.Take(shownFrames))
        {
            var m = frame.Metrics;
            table.Add(Cells(frame.Name, m?.Psnr, m?.Ssim, m?.Mse, m?.DeltaEItp, m?.Pu21Psnr, frame.Colour));
        }
        if (Frames.Count > shownFrames)
            table.Add([$"… {Frames.Count - shownFrames} more (see --csv)", .. Enumerable.Repeat("", headers.Count - 1)]);
        var s = Summary;
        table.Add(true, Cells($"{(fidelity && !reference ? "all" : "mean of")} {Frames.Count}", s?.Psnr, s?.Ssim, s?.Mse, s?.DeltaEItp, s?.Pu21Psnr, Colour));
        if (s?.PsnrInfiniteFrames > 0)
            table.Notes.Add($"{s.PsnrInfiniteFrames} frame(s) are identical (PSNR = ∞) and are left out of the PSNR mean.");
        if (Colour is { } colour)
            table.Notes.Add(string.Create(inv, $"Colour fidelity over {colour.ChromaticPixels:N0} chromatic, unclipped input pixels (pixel-weighted over all frames; docs/colour.md)."));
        return table;
    }

    /// <summary>One CSV row per frame; a value not measured is an empty field.</summary>
    public string Csv()
    {
        // Frame names are file names, which may hold commas and quotes.
        using var csv = CsvTable.ToText(["frame", "psnr", "mse", "ssim", "delta_e_itp", "pu21_psnr", "hue_drift_deg", "chroma_ratio"]);
        foreach (var frame in Frames)
        {
            var m = frame.Metrics;
            var c = frame.Colour;
            using var row = csv.NewRow();
            row["frame"].Set(frame.Name);
            row["psnr"].Set($"{m?.Psnr}");
            row["mse"].Set($"{m?.Mse}");
            row["ssim"].Set($"{m?.Ssim}");
            row["delta_e_itp"].Set($"{m?.DeltaEItp}");
            row["pu21_psnr"].Set($"{m?.Pu21Psnr}");
            row["hue_drift_deg"].Set($"{c?.HueDriftDegrees}");
            row["chroma_ratio"].Set($"{c?.ChromaRatio}");
        }
        return csv.ToString();
    }
}

/// <summary>
/// <c>hdrup eval</c>'s work: pairs predicted frames with ground truth (by file name or the paper's 4-digit id for PNG folders, by
/// order for videos) and with the SDR input, and measures each pair as the paper does (per frame, then the mean over frames).
/// </summary>
public static class EvalJob
{
    /// <summary>Runs the comparison; <paramref name="progress"/> gets (frames done, frames expected).</summary>
    public static EvalResult Run(EvalRequest request, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var (predPath, gtPath, sdrPath, options) = (request.Pred, request.Gt, request.Sdr, request.Options);
        if (gtPath is null && sdrPath is null) throw new ArgumentException("eval needs --gt (reference metrics), --sdr (colour fidelity), or both");
        var predicted = HdrFrameSource.Open(predPath, cancellationToken);
        var truth = gtPath is null ? null : HdrFrameSource.Open(gtPath, cancellationToken);
        var input = sdrPath is null ? ((string Kind, IEnumerable<NamedFrame> Frames)?)null : SdrFrameSource.Open(sdrPath, cancellationToken);
        bool byName = predicted.Kind == "png folder" && truth?.Kind == "png folder";
        if (byName && predicted.Count != truth!.Count)
            throw new InvalidDataException($"{predPath}: {predicted.Count} frames but {gtPath} has {truth.Count}");

        int total = Math.Max(1, Math.Min(predicted.Count, truth?.Count ?? predicted.Count));
        var rows = new List<EvalFrame>();
        var colour = new ColourFidelityAccumulator();
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
            rows.Add(new EvalFrame(name, metrics, fidelity));
            progress?.Report((rows.Count, total));
        }
        var summary = truth is null ? null : MetricsSummary.From(rows.Select(r => r.Metrics!).ToList());
        return new EvalResult(request, rows, summary, input is null ? null : colour.Total);
    }

    private static void RequireSize(NamedFrame p, NamedFrame other, string what)
    {
        if (p.Frame.Width != other.Frame.Width || p.Frame.Height != other.Frame.Height)
            throw new InvalidDataException($"{p.Name}: prediction is {p.Frame.Width}×{p.Frame.Height} but {what} {other.Name} is {other.Frame.Width}×{other.Frame.Height}");
    }

    /// <summary>Same name, or the same paper id (the integer in the first four characters), as the official metric script pairs files.</summary>
    private static bool SameFrame(string a, string b) =>
        a == b || (a.Length >= 4 && b.Length >= 4 && int.TryParse(a[..4], out int ia) && int.TryParse(b[..4], out int ib) && ia == ib);
}
