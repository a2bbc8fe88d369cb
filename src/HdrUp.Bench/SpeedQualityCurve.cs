using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrUp.Bench.Plots;
using HdrUp.Core;
using HdrUp.Training.Dataset;
using HdrUp.Training.Train;

namespace HdrUp.Bench;

/// <summary>One method on the speed/quality curve.</summary>
public sealed record CurvePoint(int Number, string Method, string Architecture, long? Parameters, double SecondsPerFrame, double Psnr, double DeltaEItp);

/// <summary>
/// <c>hdrup bench curve</c>: joins a <c>bench speed</c> report (network seconds per frame by architecture and size) with a
/// <c>bench quality</c> CSV (test-split PSNR / ΔE_ITP by method, with each method's architecture) into the speed/quality
/// trade-off of the fast candidates (#11): a scatter PNG of the methods, numbered as in the table (<see cref="ScatterPlot"/>), and a table.
/// </summary>
public static class SpeedQualityCurve
{
    /// <summary>Rows of <c>bench speed --onnx</c> for ONNX Runtime are named "ARCH (ONNX Runtime fp32)"; reports from before
    /// the int8 path named them "ARCH (ONNX Runtime)", and both are read.</summary>
    public const string OnnxSuffix = " (ONNX Runtime fp32)", OldOnnxSuffix = " (ONNX Runtime)";

    public static List<CurvePoint> Join(string speedJson, string qualityCsv, int qp, string size, bool onnx = false)
    {
        using var speed = JsonDocument.Parse(File.ReadAllText(speedJson));
        var seconds = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in speed.RootElement.GetProperty("rows").EnumerateArray())
        {
            if (row.GetProperty("size").GetString() != size) continue;
            var median = row.GetProperty("median_seconds");
            if (median.ValueKind == JsonValueKind.Number) seconds[row.GetProperty("case").GetString()!] = median.GetDouble();
        }
        var points = new List<CurvePoint>();
        // The curve is drawn for the test split (reports from before the cross-grading split hold only that).
        foreach (var row in QualityBench.ReadCsv(qualityCsv, requireArchitecture: true))
        {
            if (row.Split != DatasetLayout.Test || row.Qp != qp || row.Architecture is null
                || !(seconds.TryGetValue(row.Architecture + (onnx ? OnnxSuffix : ""), out double s)
                     || onnx && seconds.TryGetValue(row.Architecture + OldOnnxSuffix, out s))) continue;
            points.Add(new CurvePoint(points.Count + 1, row.Method, row.Architecture, row.Parameters, s, row.Psnr, row.DeltaEItp));
        }
        if (points.Count == 0)
            throw new InvalidDataException($"{qualityCsv}: no method at QP {qp} has an architecture timed at {size} in {speedJson}");
        return points;
    }

    public static string Csv(IReadOnlyList<CurvePoint> points)
    {
        using var csv = CsvTable.ToText(["number", "method", "architecture", "params", "seconds_per_frame", "psnr", "delta_e_itp"]);
        foreach (var p in points)
        {
            using var row = csv.NewRow();
            row["number"].Format(p.Number);
            row["method"].Set(p.Method);
            row["architecture"].Set(p.Architecture);
            row["params"].Set($"{p.Parameters}");
            row["seconds_per_frame"].Format(p.SecondsPerFrame);
            row["psnr"].Format(p.Psnr);
            row["delta_e_itp"].Format(p.DeltaEItp);
        }
        return csv.ToString();
    }

    /// <summary>The scatter PNG: each point labelled with its table number and method.</summary>
    public static void SavePlot(Stream destination, IReadOnlyList<CurvePoint> points) =>
        ScatterPlot.Save(destination, points.Select(p => new ScatterPoint(p.SecondsPerFrame, p.Psnr, $"{p.Number} {p.Method}")).ToList(),
            "Speed against quality", "network seconds per frame (log₂ scale)", "PSNR (dB)");

    public static string Render(IReadOnlyList<CurvePoint> points, string reference, int qp, string size, string? plotFile, bool onnx = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var baseline = points.FirstOrDefault(p => p.Method == reference) ?? points.MaxBy(p => p.SecondsPerFrame)!;
        var md = new StringBuilder();
        md.AppendLine(inv, $"Speed (network seconds per {size} frame with {(onnx ? "ONNX Runtime" : "libtorch")}, `bench speed`) against quality (test split, QP {qp}, `bench quality`); ");
        md.AppendLine(inv, $"speed-up and ΔPSNR are relative to {baseline.Method}.").AppendLine();
        md.AppendLine("| # | method | architecture | params | s/frame | speed-up | PSNR↑ | ΔPSNR | ΔE_ITP↓ |");
        md.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in points)
            md.AppendLine(inv, $"| {p.Number} | {p.Method} | {p.Architecture} | {p.Parameters?.ToString("N0", inv) ?? "–"} | {p.SecondsPerFrame:F2} | " +
                               $"{baseline.SecondsPerFrame / p.SecondsPerFrame:F1}× | {p.Psnr:F2} | {p.Psnr - baseline.Psnr:+0.00;-0.00;0.00} | {p.DeltaEItp:F2} |");
        if (plotFile is not null)
        {
            md.AppendLine().Append(inv, $"![speed/quality]({plotFile}) x: seconds per {size} frame (log₂ scale), y: PSNR (dB) at QP {qp}; ");
            md.AppendLine("numbers as in the table; blue = the Pareto front (no other point is both faster and better).");
        }
        return md.ToString();
    }
}
