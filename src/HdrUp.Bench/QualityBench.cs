using System.Globalization;
using System.Text;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Metrics;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;
using nietras.SeparatedValues;
using HdrUp.Training.Dataset;

namespace HdrUp.Bench;

/// <summary>A method to score: a name, its parameter count (null for non-learned mappings), and a mapper per QP.</summary>
public sealed record QualityMethod(string Name, Func<long?> Parameters, Func<int, IFrameMapper?> MapperForQp, Func<string?>? Architecture = null);

/// <summary>One row of the paper's Table 1 layout: QP, method, params and the four metrics (means over the test frames).</summary>
/// <remarks><see cref="HueDrift"/> and <see cref="ChromaRatio"/> compare the output with its SDR input (<see cref="ColourFidelityAccumulator"/>), pixel-weighted over the split.</remarks>
public sealed record QualityRow(int Qp, string Method, long? Parameters, int Frames, double Psnr, double Ssim, double Mse, double DeltaEItp,
    string? Architecture = null, string Split = DatasetLayout.Test, double HueDrift = double.NaN, double ChromaRatio = double.NaN);

/// <summary>Temporal stability of one method on the pan sequences at one QP (<see cref="Flicker"/>), means over sequences.</summary>
public sealed record TemporalRow(int Qp, string Method, int Sequences, int Frames, double OutputFlicker, double TruthFlicker, double TemporalError);

/// <summary>
/// Scores methods on a dataset's test split as the paper does (§13 of the spec): each method maps the
/// compressed SDR frames, the output is clamped to [0,1] and quantised to 16 bits like the official
/// test script's PNGs, then PSNR/MSE (peak 1), SSIM (the official protocol) and ΔE_ITP are taken per
/// frame against the 16-bit PQ ground truth and averaged over frames.
/// </summary>
public static class QualityBench
{
    /// <summary>
    /// The splits of <paramref name="dataRoot"/> to score: test (in-distribution: SDR made like the paper-style
    /// training data), and cross (operators and codecs training never uses) where the dataset has it.
    /// </summary>
    public static IReadOnlyList<string> Splits(string dataRoot) =>
        Directory.Exists(new DatasetLayout(dataRoot).HdrFolder(DatasetLayout.Cross)) ? [DatasetLayout.Test, DatasetLayout.Cross] : [DatasetLayout.Test];

    public static List<QualityRow> Run(string dataRoot, IReadOnlyList<int> qps, IReadOnlyList<QualityMethod> methods,
        Action<string> log, CancellationToken cancellationToken, CropFigure? figure = null, string split = DatasetLayout.Test)
    {
        var layout = new DatasetLayout(dataRoot);
        string gtFolder = layout.HdrFolder(split);
        if (!Directory.Exists(gtFolder))
            throw new DirectoryNotFoundException($"{gtFolder}: no {split} split (build one with 'hdrup dataset build')");
        string[] gtFiles = Directory.GetFiles(gtFolder, "*.png").Order(StringComparer.Ordinal).ToArray();
        var truths = gtFiles.Select(f => Png16.Read(f)).ToArray();
        var options = new MetricOptions { SsimMode = SsimMode.Paper, Pu21Psnr = false };
        var rows = new List<QualityRow>();
        foreach (int qp in qps)
        {
            string sdrFolder = layout.SdrFolder(split, qp);
            if (!Directory.Exists(sdrFolder))
                throw new DirectoryNotFoundException($"{sdrFolder}: the {split} split has no QP {qp} (build it with 'hdrup dataset build --qp {qp}')");
            var inputs = gtFiles.Select(f => Path.Combine(sdrFolder, Path.GetFileName(f))).ToArray();
            foreach (string missing in inputs.Where(f => !File.Exists(f)))
                throw new FileNotFoundException($"{missing}: no SDR frame for the ground truth of the same name", missing);
            if (figure is not null)
                foreach (int i in figure.Frames)
                {
                    figure.Add(qp, CropFigure.InputLabel, i, Png16.Read(inputs[i]), pq: false);
                    figure.Add(qp, CropFigure.TruthLabel, i, truths[i]);
                }
            foreach (var method in methods)
            {
                IFrameMapper? mapper = method.MapperForQp(qp);
                if (mapper is null)
                {
                    log($"QP {qp} {method.Name}: no model for this QP, skipped");
                    continue;
                }
                var scores = new List<FrameMetrics>();
                var colour = new ColourFidelityAccumulator();
                for (int i = 0; i < inputs.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var input = Png16.Read(inputs[i]);
                    RgbPlanarFrame output = mapper.Map(input, cancellationToken);
                    UnitInterval.RoundToCode16(output.Data);
                    figure?.Add(qp, method.Name, i, output);
                    scores.Add(FrameEvaluator.Evaluate(output, truths[i], options));
                    colour.Add(input, output);
                }
                var mean = MetricsSummary.From(scores);
                var fidelity = colour.Total;
                rows.Add(new QualityRow(qp, method.Name, method.Parameters(), scores.Count, mean.Psnr, mean.Ssim, mean.Mse, mean.DeltaEItp ?? double.NaN,
                    method.Architecture?.Invoke(), split, fidelity.HueDriftDegrees, fidelity.ChromaRatio));
                log($"{split} QP {qp} {method.Name}: PSNR {mean.Psnr:F4} dB, SSIM {mean.Ssim:F4}, MSE {mean.Mse:F6}, ΔE_ITP {mean.DeltaEItp:F4}, hue drift {fidelity.HueDriftDegrees:F2}°, chroma ×{fidelity.ChromaRatio:F3}");
            }
        }
        return rows;
    }

    /// <summary>
    /// Flicker on the pan sequences (<c>pan_hdr/&lt;seq&gt;/</c>, <c>pan_sdr/qpNN/&lt;seq&gt;/</c>, what
    /// <c>hdrup dataset build</c> writes): each method maps every frame of each sequence (outputs rounded to 16 bits as
    /// in <see cref="Run"/>); returns no rows when the dataset has no pans.
    /// </summary>
    public static List<TemporalRow> RunTemporal(string dataRoot, IReadOnlyList<int> qps, IReadOnlyList<QualityMethod> methods,
        Action<string> log, CancellationToken cancellationToken)
    {
        var rows = new List<TemporalRow>();
        var layout = new DatasetLayout(dataRoot);
        string truthRoot = layout.HdrFolder(DatasetLayout.Pan);
        if (!Directory.Exists(truthRoot)) return rows;
        string[] sequences = Directory.GetDirectories(truthRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        var truths = sequences.Select(q => Directory.GetFiles(Path.Combine(truthRoot, q), "*.png").Order(StringComparer.Ordinal).ToArray())
            .Where(files => files.Length >= 2).ToArray();
        if (truths.Length == 0) return rows;
        var truthFrames = truths.Select(files => files.Select(f => Png16.Read(f)).ToList()).ToArray();
        double truthFlicker = truthFrames.Average(Flicker.Index);
        foreach (int qp in qps)
        {
            var inputs = truths.Select(files => files.Select(f =>
                Path.Combine(layout.SdrFolder(DatasetLayout.Pan, qp), Path.GetFileName(Path.GetDirectoryName(f))!, Path.GetFileName(f))).ToArray()).ToArray();
            if (inputs.SelectMany(f => f).FirstOrDefault(f => !File.Exists(f)) is { } missing)
            {
                log($"QP {qp}: no pan frame {missing}, temporal stability skipped");
                continue;
            }
            foreach (var method in methods)
            {
                IFrameMapper? mapper = method.MapperForQp(qp);
                if (mapper is null) continue;
                double flicker = 0, error = 0;
                for (int s = 0; s < inputs.Length; s++)
                {
                    var outputs = new List<RgbPlanarFrame>();
                    foreach (string input in inputs[s])
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var output = mapper.Map(Png16.Read(input), cancellationToken);
                        UnitInterval.RoundToCode16(output.Data);
                        outputs.Add(output);
                    }
                    flicker += Flicker.Index(outputs);
                    error += Flicker.TemporalError(outputs, truthFrames[s]);
                }
                var row = new TemporalRow(qp, method.Name, inputs.Length, inputs.Sum(f => f.Length), flicker / inputs.Length, truthFlicker, error / inputs.Length);
                rows.Add(row);
                log($"QP {qp} {method.Name}: flicker {row.OutputFlicker:F5} (ground truth {row.TruthFlicker:F5}), temporal error {row.TemporalError:F5}");
            }
        }
        return rows;
    }

    /// <summary>A learned method whose weights file per QP may be missing (then that QP is skipped); the loaded model is
    /// kept while the same file is asked for. int8 needs <paramref name="calibrationForQp"/>: the frames its graph for a
    /// QP is calibrated on.</summary>
    public static QualityMethod LearnedMethod(string name, Func<int, string?> fileForQp, int threads,
        NumericPrecision precision = NumericPrecision.Fp32, Func<int, CalibrationSet>? calibrationForQp = null)
    {
        long? parameters = null;
        string? architecture = null;
        Conversion.NetworkFrameMapper? current = null;
        string? currentFile = null;
        return new QualityMethod(name, () => parameters, qp =>
        {
            string? file = fileForQp(qp);
            // The test split and the pans (and every QP of a one-file method) ask for the same weights: load them once.
            if (current is not null && file == currentFile) return current;
            current?.Dispose();
            (current, currentFile) = (null, file);
            if (file is null || !File.Exists(file)) return null;
            (current, var card) = Conversion.NetworkFrameMapper.Open(name, file, threads, precision,
                precision == NumericPrecision.Int8 ? calibrationForQp?.Invoke(qp) : null);
            parameters ??= current.Parameters;
            architecture ??= card?.Architecture;
            return current;
        }, () => architecture);
    }

    // The Params column of the paper's Table 1 (and Table 2's ≈512K single-KIB variant), by registry architecture.
    private static readonly Dictionary<string, string> PaperParams = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kpnet"] = "1.55M", ["csrnet"] = "36K", ["dncnn"] = "559K", ["kunet"] = "1.12M", ["dncnn-kunet"] = "1.68M", ["kpnet-single-kib"] = "≈512K",
        ["hdrtv"] = "1.41M", ["dncnn-hdrtv"] = "2.00M", ["jsi-gan"] = "1.06M", ["pixel2pixel"] = "11.38M", ["dpir"] = "32.64M",
    };

    /// <summary>
    /// Scores <paramref name="methods"/> on <paramref name="splits"/> and renders the report: Markdown (Table 1 layout, the crops
    /// figure of <paramref name="figureRows"/> test frames, flicker with <paramref name="temporal"/>), its CSV, and the extra files
    /// (STEM + suffix: the temporal CSV, one crops PNG per QP) that <paramref name="stemName"/> names in the Markdown.
    /// </summary>
    public static (string Markdown, string Csv, List<(string Suffix, Action<Stream> Write)> Extras) Report(string root, IReadOnlyList<int> qpList,
        IReadOnlyList<QualityMethod> methods, IReadOnlyList<string> splits, int figureRows, bool temporal, string stemName, string? note,
        Action<string> log, CancellationToken ct)
    {
        string testHdr = new DatasetLayout(root).HdrFolder(DatasetLayout.Test);
        int testFrames = Directory.Exists(testHdr) ? Directory.GetFiles(testHdr, "*.png").Length : 0;
        var figure = figureRows > 0 ? new CropFigure(CropFigure.Spread(testFrames, figureRows)) : null;
        var rows = splits.SelectMany(split => Run(root, qpList, methods, log, ct, split == DatasetLayout.Test ? figure : null, split)).ToList();
        var temporalRows = temporal ? RunTemporal(root, qpList, methods, log, ct) : [];
        string caption = $"Quality on the splits of {Path.GetFullPath(root)} ({DateTime.UtcNow:yyyy-MM-dd}): 'test' = held-out photographs with " +
                         "SDR made like the paper-style training data (BT.2446 C, x265 intra); 'cross' = the same crops with SDR from tone operators and codecs " +
                         "training never uses (docs/dataset.md). Means over frames of PSNR/MSE on PQ code values (peak 1), SSIM (official protocol: 7×7 box, data range 2) and ΔE_ITP, " +
                         "outputs clamped and quantised to 16 bits as the official test script does; hue drift and chroma ratio against the SDR input placed by BT.2408 " +
                         "(docs/colour.md). 'paper params' is the paper's Params column." +
                         (note is { } extra ? " " + extra : "");
        string temporalCaption = "Temporal stability on the pan sequences (virtual camera pans over training panoramas: for stability, not for accuracy claims): " +
                                 "flicker = mean |F_t − F_{t−1}| over consecutive frames (PQ code values), ratio = output ÷ ground truth, " +
                                 "temporal error = mean |(O_t − O_{t−1}) − (G_t − G_{t−1})|, means over sequences.";
        var (markdown, csv) = Render(rows, caption, temporalRows, temporalCaption);
        var extras = new List<(string Suffix, Action<Stream> Write)>();
        if (temporalRows.Count > 0) extras.Add(("-temporal.csv", s => s.Write(Encoding.UTF8.GetBytes(TemporalCsv(temporalRows)))));
        if (figure is not null)
        {
            var text = new StringBuilder(markdown);
            foreach (int qp in figure.Qps)
            {
                string file = $"{stemName}-qp{qp}.png";
                extras.Add(($"-qp{qp}.png", s => figure.Save(qp, s)));
                text.AppendLine().AppendLine(
                    $"![QP {qp} crops]({file}) **QP {qp} crops** ({file}): rows = test frames {string.Join(", ", figure.Frames)} (centre {figure.Size}×{figure.Size}); " +
                    $"columns = {string.Join(" | ", figure.Columns(qp))}. HDR shown on SDR: PQ → cd/m², BT.2020 → BT.709, 203 cd/m² → 1.0, " +
                    "extended Reinhard per channel with white at 1000 cd/m², BT.1886 γ 1/2.4; the SDR input as coded.");
            }
            markdown = text.ToString();
        }
        return (markdown, csv, extras);
    }

    public static (string Markdown, string Csv) Render(IReadOnlyList<QualityRow> rows, string caption, IReadOnlyList<TemporalRow>? temporal = null,
        string? temporalCaption = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(caption);
        md.AppendLine();
        md.AppendLine("| split | QP | method | params | paper params | PSNR↑ | SSIM↑ | MSE↓ | ΔE_ITP↓ | hue drift° ↓ | chroma ratio |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        using var csv = CsvTable.ToText(CsvColumns);
        foreach (var r in rows)
        {
            string p = r.Parameters is long n ? FormatParams(n) : "–";
            string paper = r.Architecture is { } a && PaperParams.TryGetValue(a, out string? q) ? q : "–";
            md.AppendLine(inv, $"| {r.Split} | {r.Qp} | {r.Method} | {p} | {paper} | {r.Psnr:F4} | {r.Ssim:F4} | {r.Mse:F5} | {r.DeltaEItp:F4} | {r.HueDrift:F2} | {r.ChromaRatio:F3} |");
            using var row = csv.NewRow();
            row["split"].Set(r.Split);
            row["qp"].Format(r.Qp);
            row["method"].Set(r.Method);
            row["architecture"].Set(r.Architecture);
            row["params"].Set($"{r.Parameters}");
            row["frames"].Format(r.Frames);
            row["psnr"].Format(r.Psnr);
            row["ssim"].Format(r.Ssim);
            row["mse"].Format(r.Mse);
            row["delta_e_itp"].Format(r.DeltaEItp);
            row["hue_drift_deg"].Format(r.HueDrift);
            row["chroma_ratio"].Format(r.ChromaRatio);
        }
        if (temporal is { Count: > 0 })
        {
            md.AppendLine().AppendLine(temporalCaption).AppendLine();
            md.AppendLine("| QP | method | flicker (output) | flicker (ground truth) | ratio | temporal error↓ |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var t in temporal)
                md.AppendLine(inv, $"| {t.Qp} | {t.Method} | {t.OutputFlicker:F5} | {t.TruthFlicker:F5} | {t.OutputFlicker / t.TruthFlicker:F3} | {t.TemporalError:F5} |");
        }
        return (md.ToString(), csv.ToString());
    }

    public static string TemporalCsv(IReadOnlyList<TemporalRow> rows)
    {
        using var csv = CsvTable.ToText(["qp", "method", "sequences", "frames", "flicker_output", "flicker_truth", "temporal_error"]);
        foreach (var t in rows)
        {
            using var row = csv.NewRow();
            row["qp"].Format(t.Qp);
            row["method"].Set(t.Method);
            row["sequences"].Format(t.Sequences);
            row["frames"].Format(t.Frames);
            row["flicker_output"].Format(t.OutputFlicker);
            row["flicker_truth"].Format(t.TruthFlicker);
            row["temporal_error"].Format(t.TemporalError);
        }
        return csv.ToString();
    }

    /// <summary>The columns of the quality CSV, in their order.</summary>
    public static readonly string[] CsvColumns =
        ["split", "qp", "method", "architecture", "params", "frames", "psnr", "ssim", "mse", "delta_e_itp", "hue_drift_deg", "chroma_ratio"];

    /// <summary>
    /// The rows of a quality CSV of any generation: the first reports had no <c>architecture</c>, those before the
    /// cross-grading split no <c>split</c> (their rows are the test split's) and no colour columns (NaN here).
    /// <paramref name="requireArchitecture"/>: a report without the column is an error instead of rows without one.
    /// </summary>
    public static List<QualityRow> ReadCsv(string path, bool requireArchitecture = false)
    {
        using var reader = CsvTable.FromFile(path);
        bool Has(string column) => reader.Header.TryIndexOf(column, out _);
        foreach (string column in (string[])["qp", "method", "params", "frames", "psnr", "ssim", "mse", "delta_e_itp", .. requireArchitecture ? ["architecture"] : Array.Empty<string>()])
            if (!Has(column)) throw new InvalidDataException($"{path}: no '{column}' column (write it with 'hdrup bench quality')");
        bool split = Has("split"), architecture = Has("architecture"), hue = Has("hue_drift_deg"), chroma = Has("chroma_ratio");
        return reader.Enumerate(r => new QualityRow(
            r["qp"].Parse<int>(), r["method"].ToString(),
            long.TryParse(r["params"].Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parameters) ? parameters : null,
            r["frames"].Parse<int>(), r["psnr"].Parse<double>(), r["ssim"].Parse<double>(), r["mse"].Parse<double>(), r["delta_e_itp"].Parse<double>(),
            architecture && r["architecture"].Span.Length > 0 ? r["architecture"].ToString() : null,
            split ? r["split"].ToString() : DatasetLayout.Test,
            hue ? r["hue_drift_deg"].Parse<double>() : double.NaN,
            chroma ? r["chroma_ratio"].Parse<double>() : double.NaN)).ToList();
    }

    private static string FormatParams(long n) => n >= 1_000_000
        ? (n / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M"
        : (n / 1e3).ToString("0", CultureInfo.InvariantCulture) + "K";
}
