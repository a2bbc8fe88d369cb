using System.Globalization;
using HdrUp.Color;
using HdrUp.Conversion.QpEstimation;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;

namespace HdrUp.Conversion;

/// <summary>What maps the SDR frames: the network, or a non-learned formula to compare with.</summary>
public enum MappingMethod { Kpnet, Bt2446a, Bt2408 }

/// <summary>Where the output's colours come from: the mapping as it is, or the input (hue locked, <see cref="HueLockedMapper"/>).</summary>
public enum ColourSource { Model, Keep }

/// <summary>How a conversion should map its frames; the choices <see cref="MappingFactory"/> resolves against the input.</summary>
public sealed record MappingRequest
{
    public MappingMethod Method { get; init; } = MappingMethod.Kpnet;

    /// <summary>A weights file instead of the shipped model for the QP.</summary>
    public string? Model { get; init; }

    /// <summary>Architecture of a <see cref="Model"/> file without a model card.</summary>
    public string? Arch { get; init; }

    /// <summary>"auto" (estimated from the input) or a QP; the nearest shipped model is used.</summary>
    public string Qp { get; init; } = "auto";

    public Quality Quality { get; init; } = Quality.Full;

    /// <summary>"auto" (ONNX Runtime where it runs the network and the precision), "onnx" or "torch".</summary>
    public string Backend { get; init; } = "auto";

    /// <summary>Arithmetic of the network: fp32, bf16 (libtorch only), int8 (ONNX Runtime only), or auto (measured:
    /// <see cref="PrecisionChoice"/>).</summary>
    public NumericPrecision Precision { get; init; } = NumericPrecision.Fp32;

    /// <summary>A dataset 'hdrup dataset build' made (the CLI passes $HDRUP_DATA's): int8 graphs are calibrated on its training
    /// crops and auto measures the quality loss on its test split. Null: int8 is calibrated on the sample clip's frames and
    /// auto is fp32.</summary>
    public DatasetFolders? Dataset { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Tile edge; 0 = <see cref="MappingFactory.TileFor"/>'s rule.</summary>
    public int Tile { get; init; }

    /// <summary>Null: keep for the network, model for the formulas (so the standards stay as published).</summary>
    public ColourSource? Colour { get; init; }

    /// <summary>Mastering display peak in cd/m²; mappings that may exceed it are rolled off below it.</summary>
    public double Peak { get; init; } = 1000;
}

/// <summary>
/// The mapping a conversion runs, its signature (everything that changes the pixels, so a resumed job that differs
/// starts over), how it was chosen (for the summary), and the QP of the shipped model picked (null otherwise).
/// </summary>
public sealed record Mapping(IFrameMapper Mapper, string Signature, string Choice, int? Qp) : IDisposable
{
    public void Dispose() => (Mapper as IDisposable)?.Dispose();
}

/// <summary>
/// The one place that turns a <see cref="MappingRequest"/> into a frame mapper: shipped-model lookup and the QP rule,
/// backend, precision, tile size, colour lock, peak roll-off and the resume signature. Convert and the benches that time a
/// conversion go through it, so they run what users run.
/// </summary>
public static class MappingFactory
{
    /// <summary>Largest frame run whole by default (1080p padded to KPNet's multiple of 16); larger frames are tiled.</summary>
    public const long WholeFramePixels = 1920L * 1088;

    /// <summary>The tile edge for a frame: <paramref name="requested"/> if set, else whole frames up to 1920×1088 and <see cref="InferenceOptions.DefaultTileSize"/> tiles above.</summary>
    public static int TileFor(int width, int height, int requested = 0) =>
        requested > 0 ? requested : (long)width * height > WholeFramePixels ? InferenceOptions.DefaultTileSize : 0;

    /// <summary>Resolves <paramref name="request"/> for the input <paramref name="info"/> describes (its one probe);
    /// <paramref name="log"/> hears of slow one-off steps (quantising a graph, measuring precisions).</summary>
    public static Mapping Create(MappingRequest request, MediaInfo info, CancellationToken cancellationToken = default, Action<string>? log = null)
    {
        var (mapper, signature, choice, qp) = CreateMethod(request, info, cancellationToken, log);
        // The lock and the roll-off change every frame, so they are part of the signature a resumed run must match.
        var colour = request.Colour ?? (request.Method == MappingMethod.Kpnet ? ColourSource.Keep : ColourSource.Model);
        if (colour == ColourSource.Keep && request.Method != MappingMethod.Bt2408)
            (mapper, signature, choice) = (new HueLockedMapper(mapper), signature + ",colour-keep", choice + "; colours kept from the input (--colour keep)");
        // The formulas stay below known peaks (BT.2446 A: SDR white → 1000 cd/m², BT.2408: 203); a network has none.
        double bound = request.Method switch { MappingMethod.Bt2446a => 1000, MappingMethod.Bt2408 => Bt2408.ReferenceWhite, _ => double.PositiveInfinity };
        if (bound > request.Peak)
        {
            var inv = CultureInfo.InvariantCulture;
            string peak = request.Peak.ToString("0.##", inv);
            (mapper, signature, choice) = (new PeakLimitedMapper(mapper, request.Peak), signature + $",peak-{peak}",
                choice + $"; highlights rolled off from {(PeakLimitedMapper.KneeFraction * request.Peak).ToString("0.##", inv)} to {peak} cd/m²");
        }
        return new Mapping(mapper, signature, choice, qp);
    }

    private static (IFrameMapper Mapper, string Signature, string Choice, int? Qp) CreateMethod(MappingRequest request, MediaInfo info,
        CancellationToken cancellationToken, Action<string>? log)
    {
        switch (request.Method)
        {
            case MappingMethod.Bt2446a:
                return (new Bt2446AInverseMapper(), "bt2446a", "ITU-R BT.2446 Method A inverse (non-learned)", null);
            case MappingMethod.Bt2408:
                return (new Bt2408SdrMapper(), "bt2408", "ITU-R BT.2408 placement, SDR white at 203 cd/m² (non-learned)", null);
        }

        var (weights, choice, shippedQp) = request.Model is not null
            ? (request.Model, $"KPNet weights {Path.GetFileName(request.Model)}", (int?)null)
            : ShippedForQp(request, info, cancellationToken);
        int tile = TileFor(info.Width, info.Height, request.Tile);
        var (network, card) = ModelStore.Load(weights, request.Arch);
        try
        {
            bool onnx = OnnxExport.CanExport(network);
            int qp = shippedQp ?? card?.Qp ?? (int.TryParse(request.Qp, CultureInfo.InvariantCulture, out int asked) ? asked : DefaultQp);
            int threads = Math.Max(1, request.Threads);
            var precision = request.Precision;
            if (precision == NumericPrecision.Int8 && !onnx)
                throw new ArgumentException($"--precision int8: {Path.GetFileName(weights)} is a {network.GetType().Name}, which has no ONNX export (int8 runs on ONNX Runtime); use --precision fp32 or bf16");
            if (precision == NumericPrecision.Auto && request.Backend != "auto")
                throw new ArgumentException($"--precision auto chooses the backend with the precision (fp32 and int8 on ONNX Runtime, bf16 on libtorch); leave out --backend {request.Backend}");
            // The int8 graph's frames are part of its identity (and of auto's measurement), so they are read whenever int8 may run.
            bool measured = precision == NumericPrecision.Auto && request.Dataset is not null;
            var calibration = onnx && (precision == NumericPrecision.Int8 || measured) ? CalibrationFrames.For(request.Dataset, qp, cancellationToken) : null;
            string? autoReason = null;
            if (precision == NumericPrecision.Auto)
                (precision, autoReason) = PrecisionChoice.Resolve(weights, request.Arch, threads, request.Dataset, qp, calibration, OnnxGraphCache.Default,
                    log, cancellationToken);
            var backend = request.Backend switch
            {
                "torch" when precision == NumericPrecision.Int8 => throw new ArgumentException("--precision int8 runs on ONNX Runtime; use --backend onnx or auto"),
                "torch" => InferenceBackend.Torch,
                "onnx" when !onnx => throw new ArgumentException($"--backend onnx: {Path.GetFileName(weights)} is a {network.GetType().Name}, which has no ONNX export; use --backend torch"),
                "onnx" when precision == NumericPrecision.Bf16 => throw new ArgumentException("--backend onnx runs fp32 and int8; --precision bf16 needs --backend torch"),
                "onnx" => InferenceBackend.Onnx,
                _ => InferenceOptions.For(network, precision),
            };
            choice += backend == InferenceBackend.Onnx ? ", ONNX Runtime" : ", libtorch";
            if (precision != NumericPrecision.Fp32) choice += $" in {precision.Name()}";
            if (precision == NumericPrecision.Int8) choice += $" (calibrated on {calibration!.Description})";
            if (autoReason is not null) choice += $" (precision {autoReason})";
            var options = new InferenceOptions { Threads = threads, TileSize = tile, Backend = backend, Precision = precision, Calibration = calibration };
            string name = Path.GetFileNameWithoutExtension(weights);
            // fp32 runs keep the signature they had before precision was a choice, so their caches still resume; int8's output
            // depends on the frames its graph was calibrated on too.
            string[] parts = ["network", ConvertJob.FileHash(weights), request.Arch ?? "", tile.ToString(CultureInfo.InvariantCulture), backend.ToString()];
            if (precision != NumericPrecision.Fp32) parts = [.. parts, precision.Name()];
            if (precision == NumericPrecision.Int8) parts = [.. parts, calibration!.Identity];
            return (new NetworkFrameMapper(name, network, options), ConvertJob.MakeSignature(parts), choice, shippedQp);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The QP a model of unknown QP is measured and calibrated at: the paper's main setting.</summary>
    private const int DefaultQp = 37;

    /// <summary>The shipped weights for the request's QP: as asked (nearest shipped), or estimated from the input.</summary>
    private static (string Weights, string Choice, int? Qp) ShippedForQp(MappingRequest request, MediaInfo info, CancellationToken cancellationToken)
    {
        var shipped = ShippedModels.ByQp(request.Quality);
        string family = request.Quality == Quality.Fast ? "fast KPNet" : "KPNet";
        if (shipped.Count == 0)
            throw new FileNotFoundException($"no shipped {family} weights in {ShippedModels.Folder}; pass --model FILE, or --method bt2446a for a non-learned mapping");
        int qp;
        string reason;
        if (request.Qp == "auto")
        {
            // Users do not know their clip's QP: measure it (docs/qp-estimation.md) and take the nearest shipped model.
            QpEstimate estimate = QpEstimator.Estimate(info, shipped.Keys, cancellationToken);
            (qp, reason) = (estimate.NearestQp, $"auto: {estimate.Reason}");
        }
        else
        {
            int wanted = int.Parse(request.Qp, CultureInfo.InvariantCulture);
            qp = shipped.Keys.MinBy(k => Math.Abs(k - wanted));
            reason = qp == wanted ? "as requested" : $"requested {wanted}; nearest shipped model";
        }
        return (shipped[qp], $"{family} trained at QP {qp} ({reason})", qp);
    }
}
