using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Media.Tests;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;

namespace HdrUp.Conversion.Tests;

/// <summary>--precision auto: the rule, and a measurement kept beside the cached graphs.</summary>
public sealed class PrecisionChoiceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-precision-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string FastQp37 => Path.Combine(Repo.Root, "models", "kpnet-fast-qp37.safetensors");

    // fp32 takes 10 s at 30 dB and ΔE_ITP 20; the limits are 0.05 dB and 0.2 ΔE_ITP, both inclusive.
    [Theory]
    [InlineData(6.0, 29.95, 20.2, 8.0, 29.99, 20.0, "int8")]   // int8 exactly at both limits and fastest
    [InlineData(6.0, 29.94, 20.0, 8.0, 29.99, 20.0, "bf16")]   // int8 0.06 dB worse: the next fastest within them
    [InlineData(6.0, 30.00, 20.25, 8.0, 29.90, 20.0, "fp32")]  // int8 over on ΔE_ITP, bf16 on PSNR
    [InlineData(6.0, 30.00, 20.0, 11.0, 30.00, 20.0, "int8")]  // a precision slower than fp32 is never chosen over a faster one
    [InlineData(12.0, 30.10, 19.0, 11.0, 30.10, 19.0, "fp32")] // nor one that is better but slower
    public void Auto_is_the_fastest_within_the_limits(double int8Seconds, double int8Psnr, double int8DeltaE,
        double bf16Seconds, double bf16Psnr, double bf16DeltaE, string expected)
    {
        var trials = PrecisionChoice.Judge([("fp32", "Onnx", 10.0, 30.0, 20.0), ("bf16", "Torch", bf16Seconds, bf16Psnr, bf16DeltaE), ("int8", "Onnx", int8Seconds, int8Psnr, int8DeltaE)]);
        Assert.Equal(expected, PrecisionChoice.Fastest(trials));
        Assert.Equal(int8Seconds / 10, trials[2].RatioToFp32, 12);
        Assert.Equal(30.0 - int8Psnr, trials[2].PsnrLoss, 12);
    }

    [Fact]
    public void Without_a_test_split_auto_is_fp32_and_says_why()
    {
        var (precision, reason) = PrecisionChoice.Resolve(FastQp37, null, 1, dataset: null, qp: 37, int8: null, cache: null);
        Assert.Equal(NumericPrecision.Fp32, precision);
        Assert.Contains("no test split", reason);
        (precision, reason) = PrecisionChoice.Resolve(FastQp37, null, 1, dataset: Folders(dir), qp: 37, int8: null, cache: null);   // folders that are not there
        Assert.Equal(NumericPrecision.Fp32, precision);
        Assert.Contains("no test split at QP 37", reason);
    }

    // A dataset of folders named freely: what DatasetLayout names is the caller's business.
    private static DatasetFolders Folders(string root) =>
        new(root, qp => Path.Combine(root, $"train{qp}"), qp => Path.Combine(root, $"sdr{qp}"), Path.Combine(root, "truth"));

    // A tiny dataset (two 64×48 test crops at QP 37, whose truth is the BT.2408 placement of the input): the shipped fast
    // model is measured in fp32 and int8 (and bf16 where the CPU has it); the measurement is kept in the cache folder, and
    // the next call reads it instead of measuring again.
    [Fact]
    public void The_measurement_is_made_once_and_kept_beside_the_graphs()
    {
        var data = Folders(Path.Combine(dir, "data"));
        Directory.CreateDirectory(data.TestSdr(37));
        Directory.CreateDirectory(data.TestHdr);
        for (int i = 0; i < 2; i++)
        {
            var sdr = new RgbPlanarFrame(64, 48);
            for (int k = 0; k < sdr.Data.Length; k++) sdr.Data[k] = MathF.Round(255 * (0.5f + 0.4f * MathF.Sin(k * (0.01f + i * 0.003f)))) / 255;
            Png16.Write(Path.Combine(data.TestSdr(37), $"{i:D4}.png"), sdr);
            Png16.Write(Path.Combine(data.TestHdr, $"{i:D4}.png"), new HdrUp.Color.Bt2408SdrMapper().Map(sdr));
        }
        var cache = new OnnxGraphCache(Path.Combine(dir, "cache"));
        var calibration = new CalibrationSet("one test frame", [new CalibrationFrame(Png16.Read(Path.Combine(data.TestSdr(37), "0000.png")).Data, 64, 48)]);

        var (precision, reason) = PrecisionChoice.Resolve(FastQp37, null, 1, data, 37, calibration, cache);
        Assert.Contains("measured now", reason);
        string kept = Assert.Single(Directory.GetFiles(cache.Directory, "*.precision.json"));
        var measurement = System.Text.Json.JsonSerializer.Deserialize<PrecisionMeasurement>(File.ReadAllText(kept),
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower })!;
        var names = measurement.Trials.Select(t => t.Precision).ToList();
        Assert.Equal(CpuFeatures.Current.HasBf16 ? ["fp32", "bf16", "int8"] : new[] { "fp32", "int8" }, names);
        Assert.Equal(0, measurement.Trials[0].PsnrLoss);
        Assert.Equal(1, measurement.Trials[0].RatioToFp32);
        Assert.All(measurement.Trials, t => Assert.InRange(t.Psnr, 5, 80));
        Assert.Equal(PrecisionChoice.Fastest(measurement.Trials), precision.Name());
        Assert.Equal(measurement.Chosen, precision.Name());
        Assert.Contains("load", measurement.Load);

        File.SetLastWriteTimeUtc(kept, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var (again, keptReason) = PrecisionChoice.Resolve(FastQp37, null, 1, data, 37, calibration, cache);
        Assert.Equal(precision, again);
        Assert.Contains($"measured {measurement.Date}", keptReason);
        Assert.Equal(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(kept));   // read, not rewritten

        // Other calibration frames make another int8 graph, so another measurement.
        var other = new CalibrationSet("another frame", [new CalibrationFrame(Png16.Read(Path.Combine(data.TestSdr(37), "0001.png")).Data, 64, 48)]);
        PrecisionChoice.Resolve(FastQp37, null, 1, data, 37, other, cache);
        Assert.Equal(2, Directory.GetFiles(cache.Directory, "*.precision.json").Length);
    }
}
