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

/// <summary>
/// Where the output's colours come from: the mapping as it is, or the input (<see cref="HueLockedMapper"/>): its hue with
/// at least its saturation (keep, <see cref="ColourLock.Hue"/>) or its chromaticity exactly (exact).
/// </summary>
public enum ColourSource { Model, Keep, Exact }

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

    /// <summary>Which shipped model for how the input was graded (<see cref="ShippedModels.PaperStyle"/>).</summary>
    public Grade Grade { get; init; } = Grade.General;

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

    /// <summary>Tile edge; 0 = <see cref="MappingFactory.TileFor"/>'s rule, which fits the tiles to <see cref="MaxMemory"/>.</summary>
    public int Tile { get; init; }

    /// <summary>Bytes the conversion may use (<c>--max-memory</c>); null = <see cref="MemoryBudget.Default()"/>.</summary>
    public long? MaxMemory { get; init; }

    /// <summary>Null: keep for the network, model for the formulas (so the standards stay as published).</summary>
    public ColourSource? Colour { get; init; }

    /// <summary>Mastering display peak in cd/m²; mappings that may exceed it are rolled off below it.</summary>
    public double Peak { get; init; } = 1000;
}

/// <summary>
/// The mapping a conversion runs, its signature (everything that changes the pixels, so a resumed job that differs
/// starts over), how it was chosen (for the summary), the QP of the shipped model picked and, for a network, its tiles
/// and predicted peak memory (null otherwise).
/// </summary>
public sealed record Mapping(IFrameMapper Mapper, string Signature, string Choice, int? Qp, TilePlan? Tiles = null) : IDisposable
{
    public void Dispose() => (Mapper as IDisposable)?.Dispose();
}

/// <summary>
/// The tile edge <see cref="MappingFactory.TileFor"/> picked (0 = whole frames), how many tiles a frame takes, the pixels the
/// network computes per frame as a multiple of the frame's (the time tiling costs: overlaps are computed twice), the peak resident
/// memory <see cref="PeakMemoryModel"/> predicts, and the budget it was picked for.
/// </summary>
public sealed record TilePlan(int Tile, int Count, double Work, long PredictedBytes, long BudgetBytes)
{
    public bool Fits => PredictedBytes <= BudgetBytes;
}

/// <summary>
/// The one place that turns a <see cref="MappingRequest"/> into a frame mapper: shipped-model lookup and the QP rule,
/// backend, precision, tile size, colour lock, peak roll-off and the resume signature. Convert and the benches that time a
/// conversion go through it, so they run what users run.
/// </summary>
public static class MappingFactory
{
    /// <summary>Smallest tile edge the rule picks: two overlaps (<see cref="InferenceOptions.DefaultTileOverlap"/>), so every pixel
    /// still has a tile in which it is not in a blend ramp; below it the overlaps would cost more compute than the tiles.</summary>
    public const int MinTile = 2 * InferenceOptions.DefaultTileOverlap;

    /// <summary>
    /// The tiles for a <paramref name="width"/>×<paramref name="height"/> frame and their predicted peak: <paramref name="requested"/>
    /// if set; else the whole frame if <paramref name="cost"/> predicts it within <paramref name="budget"/>; else, of the tile edges
    /// (multiples of the network's <paramref name="multiple"/>, from <see cref="MinTile"/>) that fit, the one that computes the fewest
    /// pixels, the larger on a tie; else (a budget too small for any) <see cref="MinTile"/>, which then does not <see cref="TilePlan.Fits"/>.
    /// Not simply the largest edge that fits: how tiles pack decides the time. Under 3 GiB at 1080p the largest edge that fits full
    /// KPNet on ONNX Runtime, 968 px, takes 3×2 tiles and computes 2.71× the frame's pixels; 576 px takes 4×2 and computes 1.28×.
    /// Below ~512 px the overlaps make small edges cost more again, so the choice stays among the larger edges. Larger tiles are
    /// closer to the whole frame (KPNet's coordinate attention sees more of each row and column), and the difference is small next
    /// to the time: README, Performance, and <see cref="InferenceOptions.DefaultTileSize"/>.
    /// </summary>
    public static TilePlan TileFor(int width, int height, PeakMemoryModel cost, long budget, int multiple, int requested = 0)
    {
        int paddedWidth = RoundUp(width, multiple), paddedHeight = RoundUp(height, multiple);
        long framePixels = (long)width * height;
        // As FrameInference tiles: the edge rounded up to the multiple, a frame that fits in one tile run whole, tiles spread
        // evenly with at least the default overlap.
        TilePlan Plan(int tile)
        {
            int edge = tile <= 0 ? Math.Max(paddedWidth, paddedHeight) : RoundUp(tile, multiple);
            int tileWidth = Math.Min(edge, paddedWidth), tileHeight = Math.Min(edge, paddedHeight);
            int count = FrameInference.TileStarts(paddedWidth, edge, InferenceOptions.DefaultTileOverlap, multiple).Length
                      * FrameInference.TileStarts(paddedHeight, edge, InferenceOptions.DefaultTileOverlap, multiple).Length;
            long tilePixels = (long)tileWidth * tileHeight;
            return new TilePlan(tile, count, (double)count * tilePixels / framePixels, cost.Predict(tilePixels, framePixels), budget);
        }
        if (requested > 0 && RoundUp(requested, multiple) <= InferenceOptions.DefaultTileOverlap)
            throw new ArgumentException($"--tile {requested}: must be more than the {InferenceOptions.DefaultTileOverlap}-px overlap between tiles");
        if (requested > 0) return Plan(requested);
        var whole = Plan(0);
        if (whole.Fits) return whole;
        int smallest = RoundUp(MinTile, multiple);
        TilePlan? best = null;
        for (int tile = smallest; tile < Math.Max(paddedWidth, paddedHeight); tile += multiple)
        {
            var plan = Plan(tile);
            if (!plan.Fits) break;   // the peak only grows with the edge
            if (best is null || plan.Work <= best.Work) best = plan;
        }
        return best ?? Plan(smallest);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Resolves <paramref name="request"/> for the input <paramref name="info"/> describes (its one probe);
    /// <paramref name="log"/> hears of slow one-off steps (quantising a graph, measuring precisions).</summary>
    public static Mapping Create(MappingRequest request, MediaInfo info, CancellationToken cancellationToken = default, Action<string>? log = null)
    {
        var (mapper, signature, choice, qp, tiles) = CreateMethod(request, info, cancellationToken, log);
        // The lock and the roll-off change every frame, so they are part of the signature a resumed run must match.
        var colour = request.Colour ?? (request.Method == MappingMethod.Kpnet ? ColourSource.Keep : ColourSource.Model);
        if (colour != ColourSource.Model && request.Method != MappingMethod.Bt2408)
            (mapper, signature, choice) = colour == ColourSource.Keep
                ? (new HueLockedMapper(mapper, ColourLock.Hue), signature + ",colour-keep-hue", choice + "; hues kept from the input, saturation at least its (--colour keep)")
                : (new HueLockedMapper(mapper, ColourLock.Chromaticity), signature + ",colour-exact", choice + "; colours kept exactly from the input (--colour exact)");
        // The formulas stay below known peaks (BT.2446 A: SDR white → 1000 cd/m², BT.2408: 203); a network has none.
        double bound = request.Method switch { MappingMethod.Bt2446a => 1000, MappingMethod.Bt2408 => Bt2408.ReferenceWhite, _ => double.PositiveInfinity };
        if (bound > request.Peak)
        {
            var inv = CultureInfo.InvariantCulture;
            string peak = request.Peak.ToString("0.##", inv);
            (mapper, signature, choice) = (new PeakLimitedMapper(mapper, request.Peak), signature + $",peak-{peak}",
                choice + $"; highlights rolled off from {(PeakLimitedMapper.KneeFraction * request.Peak).ToString("0.##", inv)} to {peak} cd/m²");
        }
        return new Mapping(mapper, signature, choice, qp, tiles);
    }

    private static (IFrameMapper Mapper, string Signature, string Choice, int? Qp, TilePlan? Tiles) CreateMethod(MappingRequest request, MediaInfo info,
        CancellationToken cancellationToken, Action<string>? log)
    {
        switch (request.Method)
        {
            case MappingMethod.Bt2446a:
                return (new Bt2446AInverseMapper(), "bt2446a", "ITU-R BT.2446 Method A inverse (non-learned)", null, null);
            case MappingMethod.Bt2408:
                return (new Bt2408SdrMapper(), "bt2408", "ITU-R BT.2408 placement, SDR white at 203 cd/m² (non-learned)", null, null);
        }

        if (request.Model is not null && request.Grade != Grade.General)
            throw new ArgumentException($"--grade {request.Grade.ToString().ToLowerInvariant()} picks among the shipped models; leave it out with --model {Path.GetFileName(request.Model)}");
        var (weights, choice, shippedQp) = request.Model is not null
            ? (request.Model, $"KPNet weights {Path.GetFileName(request.Model)}", (int?)null)
            : ShippedForQp(request, info, cancellationToken);
        var (network, card, arch) = ModelStore.LoadResolved(weights, request.Arch);
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
            var plan = TileFor(info.Width, info.Height, PeakMemoryModel.For(arch, backend, precision), request.MaxMemory ?? MemoryBudget.Default(), network.SizeMultiple, request.Tile);
            if (!plan.Fits && request.MaxMemory is not null && request.Tile == 0)
                throw new ArgumentException($"--max-memory {MemoryBudget.Format(plan.BudgetBytes)}: a {info.Width}×{info.Height} frame of {Path.GetFileName(weights)} " +
                    $"needs about {MemoryBudget.Format(plan.PredictedBytes)} even in {plan.Tile}-px tiles");
            int tile = plan.Tile;
            choice += backend == InferenceBackend.Onnx ? ", ONNX Runtime" : ", libtorch";
            if (precision != NumericPrecision.Fp32) choice += $" in {precision.Name()}";
            if (precision == NumericPrecision.Bf16 && !CpuFeatures.Current.HasBf16)
            {
                // Emulated bf16: a 540p frame of the smallest KPNet took 39× the fp32 time on an AVX2 EPYC (README, Performance).
                const string emulated = "this CPU has no bf16 units (AVX512-BF16, AMX-BF16), so bf16 runs emulated, tens of times slower than fp32";
                log?.Invoke($"warning: --precision bf16: {emulated}; --precision int8 or fp32 is faster here");
                choice += $" ({emulated})";
            }
            if (precision == NumericPrecision.Int8) choice += $" (calibrated on {calibration!.Description})";
            if (autoReason is not null) choice += $" (precision {autoReason})";
            choice += "; " + Describe(plan, request);
            var options = new InferenceOptions { Threads = threads, TileSize = tile, Backend = backend, Precision = precision, Calibration = calibration };
            string name = Path.GetFileNameWithoutExtension(weights);
            // fp32 runs keep the signature they had before precision was a choice, so their caches still resume; int8's output
            // depends on the frames its graph was calibrated on too.
            string[] parts = ["network", ConvertJob.FileHash(weights), request.Arch ?? "", tile.ToString(CultureInfo.InvariantCulture), backend.ToString()];
            if (precision != NumericPrecision.Fp32) parts = [.. parts, precision.Name()];
            if (precision == NumericPrecision.Int8) parts = [.. parts, calibration!.Identity];
            return (new NetworkFrameMapper(name, network, options), ConvertJob.MakeSignature(parts), choice, shippedQp, plan);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // The summary's words for the tiles: what was chosen, what it should cost and against which budget.
    private static string Describe(TilePlan plan, MappingRequest request)
    {
        string tiles = plan.Count == 1 ? "whole frames"
            : $"{plan.Tile}-px tiles, {plan.Count} a frame computing {plan.Work.ToString("0.00", CultureInfo.InvariantCulture)}× its pixels";
        string peak = $"predicted peak {MemoryBudget.Format(plan.PredictedBytes)}";
        string budget = $"{MemoryBudget.Format(plan.BudgetBytes)} {(request.MaxMemory is null ? "default budget" : "--max-memory")}";
        if (request.Tile > 0) return $"{tiles} (--tile {request.Tile}; {peak}{(plan.Fits ? "" : $", above the {budget}")})";
        return plan.Fits ? $"{tiles} ({peak} within the {budget})" : $"{tiles}, the smallest ({peak}, above the {budget})";
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
        if (request.Grade == Grade.Bt2446c)
        {
            string paperStyle = ShippedModels.PaperStyle(request.Quality, qp)
                ?? throw new FileNotFoundException($"--grade bt2446c: no paper-style {family} for QP {qp} in {ShippedModels.Folder} ({ShippedModels.PaperStyleName(request.Quality, qp)})");
            return (paperStyle, $"paper-style {family} trained at QP {qp} on BT.2446 C down-conversions ({reason}; --grade bt2446c)", qp);
        }
        return (shipped[qp], $"{family} trained at QP {qp} ({reason})", qp);
    }
}
