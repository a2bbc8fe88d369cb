using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Metrics;
using HdrUp.Models;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;

namespace HdrUp.Conversion;

/// <summary>One precision as <see cref="PrecisionChoice"/> measured it: time over the test crops (both timed passes),
/// its ratio to fp32's, mean PSNR and ΔE_ITP against the ground truth, and the losses against fp32 (positive = worse).</summary>
public sealed record PrecisionTrial(string Precision, string Backend, double Seconds, double RatioToFp32, double Psnr, double DeltaEItp,
    double PsnrLoss, double DeltaEItpLoss, bool WithinLimits);

/// <summary>What <c>--precision auto</c> measured for one weights file on one machine, as kept beside the cached graphs.</summary>
public sealed record PrecisionMeasurement(string Key, int Version, string Weights, string Machine, int Threads, string Date, string Load,
    string TestCrops, string? Int8Calibration, double MaxPsnrLoss, double MaxDeltaEItpLoss, IReadOnlyList<PrecisionTrial> Trials, string Chosen,
    string? Note);

/// <summary>
/// <c>--precision auto</c> for inference (issue #17): the fastest precision whose quality loss against fp32 on the test split
/// is at most <see cref="MaxPsnrLoss"/> dB PSNR and <see cref="MaxDeltaEItpLoss"/> ΔE_ITP. The candidates are what this CPU
/// and network offer: fp32 (ONNX Runtime for the KPNet family, else libtorch), bf16 on libtorch where the CPU has bf16 units
/// (<see cref="CpuFeatures.HasBf16"/>), int8 on ONNX Runtime for networks with an ONNX export. Each runs the same
/// <see cref="TestCrops"/> crops of the dataset's test split (one untimed warm-up, then two passes, crop by crop in turn so
/// that other load falls on all alike); PSNR and ΔE_ITP are taken as <c>bench quality</c> takes them (clamped, rounded to
/// 16 bits, means over crops). The measurement is made once per weights, machine, thread count, test crops and int8
/// calibration frames and kept as a JSON file in the ONNX graph cache folder; without a test split to measure on, auto is
/// fp32, because a loss that is not measured cannot be shown to be within the limits.
/// </summary>
public static class PrecisionChoice
{
    public const double MaxPsnrLoss = 0.05;
    public const double MaxDeltaEItpLoss = 0.2;

    /// <summary>Test crops measured (of the split's 51 here), spread over its photographs.</summary>
    public const int TestCrops = 16;

    /// <summary>Version of the measurement, part of its key: raise it when the procedure or the rule changes.</summary>
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The losses against the first measurement (fp32) and whether they are within the limits (inclusive, to
    /// 1e-9, so that a loss equal to a limit in decimal is not refused for binary rounding).</summary>
    internal static List<PrecisionTrial> Judge(IReadOnlyList<(string Precision, string Backend, double Seconds, double Psnr, double DeltaEItp)> measured)
    {
        var fp32 = measured[0];
        return measured.Select(m =>
        {
            double psnrLoss = fp32.Psnr - m.Psnr, deltaELoss = m.DeltaEItp - fp32.DeltaEItp;
            return new PrecisionTrial(m.Precision, m.Backend, m.Seconds, m.Seconds / fp32.Seconds, m.Psnr, m.DeltaEItp, psnrLoss, deltaELoss,
                psnrLoss <= MaxPsnrLoss + 1e-9 && deltaELoss <= MaxDeltaEItpLoss + 1e-9);
        }).ToList();
    }

    /// <summary>The rule: the fastest trial within the limits (fp32, the first, always is).</summary>
    internal static string Fastest(IReadOnlyList<PrecisionTrial> trials) => trials.Where(t => t.WithinLimits).MinBy(t => t.Seconds)!.Precision;

    /// <summary>Resolves auto for <paramref name="weights"/>: from the kept measurement, or measured now (and kept).</summary>
    /// <param name="dataset">The dataset whose test split is measured; null, or without a test split at <paramref name="qp"/>: fp32.</param>
    /// <param name="qp">The QP the weights are for.</param>
    /// <param name="int8">The int8 graph's calibration frames; null leaves int8 out (a network without ONNX export).</param>
    /// <param name="cache">Where graphs and measurements are kept; null measures at every run.</param>
    /// <returns>The precision and one line saying why.</returns>
    public static (NumericPrecision Precision, string Reason) Resolve(string weights, string? architecture, int threads, DatasetFolders? dataset, int qp,
        CalibrationSet? int8, OnnxGraphCache? cache, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (TestSplit(dataset, qp) is not { } split)
            return (NumericPrecision.Fp32, $"auto: fp32, as no test split at QP {qp} was given to measure the loss of bf16 or int8 on (set HDRUP_DATA to a dataset 'hdrup dataset build' made)");
        var crops = EvenSpread.Indices(split.Inputs.Length, TestCrops);
        string key;
        using (var network = ModelStore.Load(weights, architecture).Network)
            key = Key(network, threads, split.Folder, crops.Select(i => split.Inputs[i]), int8);
        string? file = cache is null ? null : Path.Combine(cache.Directory, $"{key}.precision.json");
        var measurement = file is null ? null : Read(file, key);
        bool kept = measurement is not null;
        if (measurement is null)
        {
            log?.Invoke($"precision auto: timing and scoring the precisions this CPU and network offer for {Path.GetFileName(weights)} on {crops.Length} crops of {split.Folder} (once per weights and machine)");
            measurement = Measure(weights, architecture, threads, split, crops, int8, cache, key, cancellationToken);
            if (file is not null)
            {
                try
                {
                    AtomicFile.WriteAllText(file, JsonSerializer.Serialize(measurement, Json));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A folder that cannot be written costs the next run another measurement, not this one.
                }
            }
        }
        var chosen = NumericPrecisions.Parse(measurement.Chosen);
        var inv = CultureInfo.InvariantCulture;
        string trials = string.Join("; ", measurement.Trials.Where(t => t.Precision != "fp32").Select(t => string.Format(inv,
            "{0} {1:F2}× the fp32 time, {2:+0.000;−0.000} dB, {3:+0.00;−0.00} ΔE_ITP{4}", t.Precision, t.RatioToFp32, -t.PsnrLoss, t.DeltaEItpLoss,
            t.WithinLimits ? "" : " (over the limits)")));
        string where = kept ? $"measured {measurement.Date}" : "measured now";
        return (chosen, $"auto: {chosen.Name()}, the fastest within {MaxPsnrLoss} dB and {MaxDeltaEItpLoss} ΔE_ITP of fp32 on {crops.Length} test crops " +
                        $"({where}, {measurement.Load}: {(trials.Length == 0 ? "no other precision runs here" : trials)})");
    }

    private sealed record Split(string Folder, string[] Inputs, string[] Truths);

    // The test split at the weights' QP, with a ground truth for every crop.
    private static Split? TestSplit(DatasetFolders? dataset, int qp)
    {
        if (dataset is null || !Directory.Exists(dataset.TestSdr(qp)) || !Directory.Exists(dataset.TestHdr)) return null;
        string folder = dataset.TestSdr(qp);
        string[] truths = Directory.GetFiles(dataset.TestHdr, "*.png").Order(StringComparer.Ordinal).ToArray();
        string[] inputs = truths.Select(t => Path.Combine(folder, Path.GetFileName(t))).ToArray();
        return truths.Length > 0 && inputs.All(File.Exists) ? new Split(Path.GetFullPath(folder), inputs, truths) : null;
    }

    // SHA-256 of everything the choice depends on: the weights (as the fp32 graph key hashes them), this machine and the
    // runtimes, the thread count, which crops, the calibration frames, the limits and this procedure's version.
    private static string Key(HdrNetwork network, int threads, string folder, IEnumerable<string> crops, CalibrationSet? int8)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"precision choice {Version}, limits {MaxPsnrLoss} dB, {MaxDeltaEItpLoss} ΔE_ITP");
        text.AppendLine(OnnxGraphCache.Key(network));
        text.AppendLine(Machine());
        text.AppendLine(CultureInfo.InvariantCulture, $"threads {threads}");
        text.AppendLine(folder);
        foreach (string crop in crops) text.AppendLine(Path.GetFileName(crop));
        text.AppendLine(int8 is null ? "no int8" : $"int8 quantiser {OnnxInt8.Version}, calibration {int8.Identity}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // What the speeds depend on besides the network: the CPU's units and cores and the two runtimes' versions.
    private static string Machine() =>
        $"{CpuFeatures.Current.Describe()}; {Environment.ProcessorCount} cores; ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}; " +
        $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}";

    private static PrecisionMeasurement? Read(string file, string key)
    {
        try
        {
            var kept = JsonSerializer.Deserialize<PrecisionMeasurement>(File.ReadAllText(file), Json);
            return kept is not null && kept.Key == key && kept.Version == Version && kept.Trials is { Count: > 0 } ? kept : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;   // missing or damaged: measured again and replaced
        }
    }

    private static PrecisionMeasurement Measure(string weights, string? architecture, int threads, Split split, int[] crops, CalibrationSet? int8,
        OnnxGraphCache? cache, string key, CancellationToken cancellationToken)
    {
        string load = MachineLoad.Describe();
        var candidates = new List<(NumericPrecision Precision, NetworkFrameMapper Mapper)>();
        try
        {
            foreach (var precision in new[] { NumericPrecision.Fp32, NumericPrecision.Bf16, NumericPrecision.Int8 })
            {
                var (network, _) = ModelStore.Load(weights, architecture);
                bool runs = precision switch
                {
                    NumericPrecision.Bf16 => CpuFeatures.Current.HasBf16,   // emulated bf16 is slower than fp32 everywhere
                    NumericPrecision.Int8 => int8 is not null && OnnxExport.CanExport(network),
                    _ => true,
                };
                if (!runs)
                {
                    network.Dispose();
                    continue;
                }
                var options = new InferenceOptions
                {
                    Threads = threads, Backend = InferenceOptions.For(network, precision), Precision = precision, Calibration = int8, OnnxCache = cache,
                };
                candidates.Add((precision, new NetworkFrameMapper(precision.Name(), network, options)));
            }
            var inputs = crops.Select(i => Png16.Read(split.Inputs[i])).ToArray();
            var truths = crops.Select(i => Png16.Read(split.Truths[i])).ToArray();
            foreach (var (_, mapper) in candidates) mapper.Map(inputs[0], cancellationToken);
            var seconds = new double[candidates.Count];
            var psnr = new double[candidates.Count];
            var deltaE = new double[candidates.Count];
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < inputs.Length; i++)
                    for (int c = 0; c < candidates.Count; c++)
                    {
                        var clock = Stopwatch.StartNew();
                        var output = candidates[c].Mapper.Map(inputs[i], cancellationToken);
                        seconds[c] += clock.Elapsed.TotalSeconds;
                        if (pass > 0) continue;
                        UnitInterval.RoundToCode16(output.Data);
                        psnr[c] += Psnr.Compute(output, truths[i]) / inputs.Length;
                        deltaE[c] += DeltaEItp.Compute(output, truths[i]) / inputs.Length;
                    }
            var trials = Judge(candidates.Select((candidate, c) => (candidate.Precision.Name(), candidate.Mapper.Backend.ToString(), seconds[c], psnr[c], deltaE[c])).ToList());
            string? note = CpuFeatures.Current.HasBf16 ? null : "no bf16 units on this CPU: bf16 not tried";
            return new PrecisionMeasurement(key, Version, Path.GetFullPath(weights), Machine(), threads,
                DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), $"{load} at the start, {MachineLoad.Describe()} at the end",
                $"{crops.Length} crops of {split.Folder}", int8?.Description, MaxPsnrLoss, MaxDeltaEItpLoss, trials, Fastest(trials), note);
        }
        finally
        {
            foreach (var (_, mapper) in candidates) mapper.Dispose();
        }
    }
}
