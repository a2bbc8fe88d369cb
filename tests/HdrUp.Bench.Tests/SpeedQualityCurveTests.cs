using HdrUp.Core;
using nietras.SeparatedValues;
using static HdrUp.Bench.Tests.QualityBenchCsvTests;

namespace HdrUp.Bench.Tests;

public sealed class SpeedQualityCurveTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-curve-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // bench/results/curve-20261125-1933.csv was joined from these two reports with --onnx at QP 37, 1080p: the reader
    // and writer reproduce it byte for byte.
    [Fact]
    public void Curve_of_the_shipped_reports_is_the_curve_report()
    {
        var points = SpeedQualityCurve.Join(Data("speed-20261125-1933.json"), Data("quality-20261125-1927.csv"), 37, "1080p", onnx: true);
        Assert.Equal(["kpnet (shipped)", "kpnet fast (kpnet-half-nf32)", "kpnet-nf16 (distilled)"], points.Select(p => p.Method));
        Assert.Equal(File.ReadAllText(Data("curve-20261125-1933.csv")), SpeedQualityCurve.Csv(points));
    }

    // A method whose name has a comma and quotes (once a field split on commas) keeps its name through the quality CSV,
    // the join and the curve CSV; cross-split rows stay out of the curve.
    [Fact]
    public void A_method_named_with_commas_and_quotes_survives_the_join()
    {
        string speed = Path.Combine(dir, "speed.json"), quality = Path.Combine(dir, "quality.csv");
        File.WriteAllText(speed, """{ "rows": [ { "case": "kpnet-nf16", "size": "1080p", "median_seconds": 3.0 } ] }""");
        File.WriteAllText(quality, QualityBench.Render(
        [
            new QualityRow(37, "kpnet, \"v2\"", 98603, 51, 28.5, 0.9, 0.003, 33.0, "kpnet-nf16"),
            new QualityRow(37, "kpnet, \"v2\"", 98603, 51, 30.5, 0.9, 0.002, 30.0, "kpnet-nf16", "cross"),
        ], "caption").Csv);

        var point = Assert.Single(SpeedQualityCurve.Join(speed, quality, 37, "1080p"));
        Assert.Equal(new CurvePoint(1, "kpnet, \"v2\"", "kpnet-nf16", 98603, 3.0, 28.5, 33.0), point);
        using var curve = CsvTable.FromText(SpeedQualityCurve.Csv([point]));
        Assert.Equal(["kpnet, \"v2\""], curve.Enumerate(r => r["method"].ToString()));
    }
}
