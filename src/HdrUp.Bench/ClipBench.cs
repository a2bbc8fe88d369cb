using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrUp.Conversion;
using HdrUp.Conversion.QpEstimation;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Metrics;

namespace HdrUp.Bench;

/// <summary>Colour fidelity of one method on one real clip (no ground truth exists for real footage).</summary>
public sealed record ClipRow(string Clip, int Width, int Height, int Qp, int Frames, string Method, double HueDrift, double ChromaRatio,
    long ChromaticPixels, double SecondsPerFrame);

/// <summary>
/// <c>hdrup bench clips</c>: real SDR footage through every method, judged against its own input. Frames are spread
/// evenly over each clip, decoded as convert decodes them, mapped whole, rounded to 16 bits as convert's frames are,
/// and measured with <see cref="ColourFidelityAccumulator"/> (hue drift, chroma ratio; docs/colour.md). Learned methods
/// use the model for the clip's QP, chosen as <c>convert --qp auto</c> chooses it. A figure per clip shows the input
/// and every method side by side for a look with one's own eyes.
/// </summary>
public static class ClipBench
{
    /// <summary>The clips named: files as given, folders as their files (PNG figures left out), in name order.</summary>
    public static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(Directory.GetFiles(path).Where(f => !f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal));
            else if (File.Exists(path)) files.Add(path);
            else throw new FileNotFoundException($"{path}: no such clip or folder", path);
        }
        return files.Count > 0 ? files : throw new ArgumentException("no clips given");
    }

    /// <summary>
    /// The whole report: every clip through every method (<see cref="Run"/>), the table with its caption (plus <paramref name="note"/>),
    /// and a side-by-side figure per clip, written as <paramref name="stemName"/>-CLIP.png.
    /// </summary>
    public static (string Markdown, string Csv, List<(string Suffix, Action<Stream> Write)> Extras) Report(IReadOnlyList<string> clips,
        IReadOnlyList<QualityMethod> methods, int? fixedQp, int framesPerClip, string stemName, string? note, Action<string> log, CancellationToken ct)
    {
        var figure = new CropFigure(Enumerable.Range(0, Math.Min(framesPerClip, 3)).ToArray(), size: 256);
        var rows = Run(clips, methods, fixedQp, framesPerClip, log, ct, figure);
        string caption = $"Colour fidelity on real SDR clips ({DateTime.UtcNow:yyyy-MM-dd}): hue drift = chroma-weighted mean |Δ hue| (ICtCp) of the output " +
                         "against the input placed by BT.2408, over chromatic unclipped input pixels; chroma ratio = Σ C_out / Σ C_in (docs/colour.md). " +
                         "Frames spread evenly over each clip, mapped whole, rounded to 16 bits; s/frame = mapping time on this machine." +
                         (note is { } extra ? " " + extra : "");
        var (markdown, csv) = Render(rows, caption);
        var text = new StringBuilder(markdown);
        var extras = new List<(string Suffix, Action<Stream> Write)>();
        foreach (int c in figure.Qps)
        {
            string clipName = Path.GetFileNameWithoutExtension(clips[c]);
            string file = $"{stemName}-{clipName}.png";
            extras.Add(($"-{clipName}.png", s => figure.Save(c, s)));
            text.AppendLine().AppendLine(
                $"![{clipName}]({file}) **{clipName}** ({file}): rows = the first {figure.Frames.Count} sampled frames (centre {figure.Size}×{figure.Size}); " +
                $"columns = {string.Join(" | ", figure.Columns(c))}. HDR shown on SDR as in 'bench quality' (203 cd/m² → 1.0, extended Reinhard, white 1000 cd/m²).");
        }
        return (text.ToString(), csv, extras);
    }

    public static List<ClipRow> Run(IReadOnlyList<string> clips, IReadOnlyList<QualityMethod> methods, int? fixedQp, int framesPerClip,
        Action<string> log, CancellationToken ct, CropFigure? figure = null)
    {
        var rows = new List<ClipRow>();
        var shipped = ShippedModels.ByQp().Keys.ToArray();
        for (int c = 0; c < clips.Count; c++)
        {
            string clip = clips[c];
            string name = Path.GetFileName(clip);
            int qp = fixedQp ?? QpEstimator.Estimate(clip, shipped, ct).NearestQp;
            var frames = SampleFrames(clip, framesPerClip, ct);
            log($"{name}: {frames.Count} frames of {frames[0].Width}×{frames[0].Height}, models for QP {qp}");
            for (int i = 0; i < frames.Count; i++) figure?.Add(c, CropFigure.InputLabel, i, frames[i], pq: false);
            foreach (var method in methods)
            {
                var mapper = method.MapperForQp(qp);
                if (mapper is null)
                {
                    log($"{name} {method.Name}: no model for QP {qp}, skipped");
                    continue;
                }
                var colour = new ColourFidelityAccumulator();
                var clock = Stopwatch.StartNew();
                double mapping = 0;
                for (int i = 0; i < frames.Count; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    clock.Restart();
                    var output = mapper.Map(frames[i], ct);
                    mapping += clock.Elapsed.TotalSeconds;
                    UnitInterval.RoundToCode16(output.Data);
                    colour.Add(frames[i], output);
                    figure?.Add(c, method.Name, i, output);
                }
                var total = colour.Total;
                rows.Add(new ClipRow(name, frames[0].Width, frames[0].Height, qp, frames.Count, method.Name, total.HueDriftDegrees, total.ChromaRatio,
                    total.ChromaticPixels, mapping / frames.Count));
                log($"{name} {method.Name}: hue drift {total.HueDriftDegrees:F2}°, chroma ×{total.ChromaRatio:F3}, {mapping / frames.Count:F2} s/frame");
            }
        }
        return rows;
    }

    /// <summary><paramref name="count"/> frames spread evenly over the clip (all of them if it has fewer).</summary>
    private static List<RgbPlanarFrame> SampleFrames(string clip, int count, CancellationToken ct)
    {
        using var reader = SdrVideoReader.Open(clip, cancellationToken: ct);
        long total = Math.Max(1, reader.Info.FrameCount);
        var wanted = Enumerable.Range(0, count).Select(i => (long)((i + 0.5) * total / count)).ToHashSet();
        var frames = new List<RgbPlanarFrame>();
        long index = 0;
        foreach (var frame in reader.ReadFrames(ct))
        {
            if (wanted.Contains(index++)) frames.Add(frame.Rgb);
            if (frames.Count == count) break;
        }
        if (frames.Count == 0) throw new InvalidDataException($"{Path.GetFileName(clip)}: no frame could be decoded");
        return frames;
    }

    public static (string Markdown, string Csv) Render(IReadOnlyList<ClipRow> rows, string caption)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder(caption).AppendLine().AppendLine();
        md.AppendLine("| clip | size | QP model | frames | method | hue drift° ↓ | chroma ratio | s/frame |");
        md.AppendLine("|---|---|---:|---:|---|---:|---:|---:|");
        using var csv = CsvTable.ToText(["clip", "width", "height", "qp", "frames", "method", "hue_drift_deg", "chroma_ratio", "chromatic_pixels", "seconds_per_frame"]);
        foreach (var r in rows)
        {
            md.AppendLine(inv, $"| {r.Clip} | {r.Width}×{r.Height} | {r.Qp} | {r.Frames} | {r.Method} | {r.HueDrift:F2} | {r.ChromaRatio:F3} | {r.SecondsPerFrame:F2} |");
            using var row = csv.NewRow();
            row["clip"].Set(r.Clip);
            row["width"].Format(r.Width);
            row["height"].Format(r.Height);
            row["qp"].Format(r.Qp);
            row["frames"].Format(r.Frames);
            row["method"].Set(r.Method);
            row["hue_drift_deg"].Format(r.HueDrift);
            row["chroma_ratio"].Format(r.ChromaRatio);
            row["chromatic_pixels"].Format(r.ChromaticPixels);
            row["seconds_per_frame"].Format(r.SecondsPerFrame);
        }
        return (md.ToString(), csv.ToString());
    }
}
