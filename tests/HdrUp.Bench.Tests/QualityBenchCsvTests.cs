using HdrUp.Training.Dataset;

namespace HdrUp.Bench.Tests;

public sealed class QualityBenchCsvTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-quality-csv-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    internal static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    // A current report (bench/results/quality-20261129-1758.csv) read and written again is the same file byte for byte:
    // same columns in the same order, empty fields where there is no architecture, numbers round-tripped.
    [Fact]
    public void A_current_quality_report_reads_and_writes_back_unchanged()
    {
        string path = Data("quality-20261129-1758.csv");
        var rows = QualityBench.ReadCsv(path);
        Assert.Equal(10, rows.Count);
        Assert.Equal(new QualityRow(47, "BT.2446 Method A inverse", null, 51, 19.77842546937265, 0.8678756393872419, 0.012128190566598333,
            78.56157033442737, null, "test", 0.7501460080020582, 1.1387535500403734), rows[0]);
        Assert.Equal(new QualityRow(47, "blend90", 1552475, 51, 28.30091918429391, 0.8982463418392198, 0.0019687875568487174,
            32.66908387306461, "kpnet", "cross", 7.055709797664071, 0.8921598765683154), rows[^1]);
        Assert.Equal(File.ReadAllText(path), QualityBench.Render(rows, "caption").Csv);
    }

    // Reports from before the cross-grading split (no split column: all test rows) and before architectures were
    // recorded still read; the curve needs architectures and says which column is missing.
    [Fact]
    public void Older_quality_reports_still_read()
    {
        var noSplit = QualityBench.ReadCsv(Data("quality-20261125-1927.csv"));
        Assert.Equal(17, noSplit.Count);
        Assert.All(noSplit, r => Assert.Equal(DatasetLayout.Test, r.Split));
        Assert.All(noSplit, r => Assert.True(double.IsNaN(r.HueDrift) && double.IsNaN(r.ChromaRatio)));
        Assert.Equal(("kpnet-nf16 (distilled)", "kpnet-nf16", 98603L, 18.443178369948647), (noSplit[8].Method, noSplit[8].Architecture, noSplit[8].Parameters, noSplit[8].Psnr));

        var first = QualityBench.ReadCsv(Data("quality-20261125-1728.csv"));
        Assert.Equal(16, first.Count);
        Assert.All(first, r => Assert.Null(r.Architecture));
        var error = Assert.Throws<InvalidDataException>(() => QualityBench.ReadCsv(Data("quality-20261125-1728.csv"), requireArchitecture: true));
        Assert.Contains("no 'architecture' column", error.Message);
    }

    // RFC 4180 quoting: a method named with a comma and quotes is one field, and comes back whole; so do the values a
    // score can take at its edges (PSNR of identical images is +∞, unmeasured colour columns NaN).
    [Fact]
    public void A_method_named_with_commas_and_quotes_round_trips()
    {
        QualityRow[] rows =
        [
            new(37, "kpnet, \"v2\"", 1552475, 51, 27.765310799372273, 0.91, 0.0032, 37.17, "kpnet", "cross", 0.12, 1.017),
            new(37, "identity", null, 51, double.PositiveInfinity, 1, 0, 0),
        ];
        string csv = QualityBench.Render(rows, "caption").Csv;
        Assert.Contains("cross,37,\"kpnet, \"\"v2\"\"\",kpnet,1552475,51,", csv);
        string path = Path.Combine(dir, "q.csv");
        File.WriteAllText(path, csv);
        Assert.Equal(rows, QualityBench.ReadCsv(path));
    }

    // Temporal and clip tables: the same header as before, names quoted only where they need it.
    [Fact]
    public void Temporal_and_clip_tables_keep_their_columns_and_quote_names()
    {
        Assert.Equal("qp,method,sequences,frames,flicker_output,flicker_truth,temporal_error\n37,\"kpnet, \"\"v2\"\"\",3,24,0.025,0.0292,0.0166\n",
            QualityBench.TemporalCsv([new TemporalRow(37, "kpnet, \"v2\"", 3, 24, 0.025, 0.0292, 0.0166)]));
        var (_, clips) = ClipBench.Render([new ClipRow("city,night", 480, 270, 32, 75, "bt2408", 0.0012, 0.9999, 12345, 0.5)], "caption");
        Assert.Equal("clip,width,height,qp,frames,method,hue_drift_deg,chroma_ratio,chromatic_pixels,seconds_per_frame\n" +
                     "\"city,night\",480,270,32,75,bt2408,0.0012,0.9999,12345,0.5\n", clips);
    }
}
