using System.Globalization;
using System.Text.Json.Serialization;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>
/// HDR → SDR tone operators of the degradation model (docs/dataset.md). The first six make training SDR; the last
/// three are kept for the cross-grading split so that split measures operators training never saw.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ToneOperator>))]
public enum ToneOperator
{
    /// <summary>ITU-R BT.2446 Method C (a colourist's down-conversion; the paper-style dataset's only operator).</summary>
    Bt2446C,
    /// <summary>ITU-R BT.2446 Method A forward (broadcast down-conversion, perceptual log curve on luma).</summary>
    Bt2446A,
    /// <summary>Reinhard et al. 2002 global operator on luminance with a white point, RGB scaled by the luminance ratio.</summary>
    ReinhardLuminance,
    /// <summary>A filmic S-curve per channel (the ACES RRT+ODT fit of K. Narkowicz 2015): desaturates highlights.</summary>
    FilmicChannel,
    /// <summary>Plain exposure and a hard clip per channel: a camera without highlight roll-off.</summary>
    ExposureClip,
    /// <summary>A local operator: log-luminance base (Gaussian blur) compressed, detail kept (Durand–Dorsey style).</summary>
    LocalContrast,
    /// <summary>Cross-grading only: J. Hable's "Uncharted 2" filmic curve per channel, white 11.2.</summary>
    HableChannel,
    /// <summary>Cross-grading only: Drago et al. 2003 adaptive logarithmic mapping on luminance, bias 0.85.</summary>
    DragoLuminance,
    /// <summary>Cross-grading only: mpv's Möbius curve per channel (linear to 0.3, then a Möbius transform to the frame peak).</summary>
    MobiusChannel,
}

/// <summary>How the SDR signal encodes display light.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SdrEncoding>))]
public enum SdrEncoding
{
    /// <summary>BT.1886, pure power 2.4 (broadcast mastering).</summary>
    Bt1886,
    /// <summary>IEC 61966-2-1 sRGB piecewise curve (stills, screen capture, many cameras).</summary>
    Srgb,
    /// <summary>Pure power 2.2.</summary>
    Gamma22,
}

/// <summary>The lossy compression applied to the SDR frame.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SdrCodec>))]
public enum SdrCodec
{
    /// <summary>HEVC intra at the QP (the paper's; <see cref="Hevc.X265Params"/>).</summary>
    X265Intra,
    /// <summary>HEVC with x265's default GOP (P/B frames, I-frame QP offsets) at the QP.</summary>
    X265Inter,
    /// <summary>H.264 with x264's default GOP at the same QP (same quantiser-step scale as HEVC).</summary>
    X264,
    /// <summary>MPEG-2 video at the quantiser scale whose step matches the QP's (DVD, broadcast archives).</summary>
    Mpeg2,
    /// <summary>Cross-grading only: VP9 (libvpx) constant quality.</summary>
    Vp9,
    /// <summary>Cross-grading only: MPEG-4 Part 2 (DivX/Xvid era) at the MPEG-2-equivalent quantiser.</summary>
    Mpeg4,
}

/// <summary>
/// How one SDR frame of the dataset was made from its HDR scene: scene variation (applied to the ground truth as
/// well), the tone operator and its parameters, the signal encoding, and the compression with an optional
/// down-scale before it. Everything is recorded per frame in the dataset manifest.
/// </summary>
public sealed record SdrRecipe
{
    public ToneOperator Operator { get; init; } = ToneOperator.Bt2446C;

    /// <summary>Exposure offset of the grade in stops (HDR light × 2^stops before the operator).</summary>
    public double ExposureStops { get; init; }

    /// <summary>Saturation of the SDR grade about its luminance (1 = as the operator made it).</summary>
    public double SdrSaturation { get; init; } = 1;

    public SdrEncoding Encoding { get; init; } = SdrEncoding.Bt1886;

    /// <summary>Scene saturation about luminance, applied to the linear scene before both GT and SDR.</summary>
    public double SceneSaturation { get; init; } = 1;

    /// <summary>Scene white-balance gains of R and B (G = 1), applied before both GT and SDR.</summary>
    public double SceneRedGain { get; init; } = 1;

    public double SceneBlueGain { get; init; } = 1;

    public SdrCodec Codec { get; init; } = SdrCodec.X265Intra;

    /// <summary>Down-scale factor before compression (1 = none); the decoded frame is scaled back up (bicubic).</summary>
    public double Scale { get; init; } = 1;

    /// <summary>The paper-style recipe: BT.2446 C, BT.1886, x265 intra, nothing else.</summary>
    public static SdrRecipe Paper { get; } = new();

    [JsonIgnore]
    public bool ChangesScene => SceneSaturation != 1 || SceneRedGain != 1 || SceneBlueGain != 1;

    /// <summary>Codec and scale: frames with the same key go through one encoder process.</summary>
    [JsonIgnore]
    public string CodecKey => FormattableString.Invariant($"{Codec}-{Scale:0.###}");
}

/// <summary>
/// The degradation model: draws recipes from seeded per-frame streams and renders SDR from the graded HDR frame.
/// Training frames draw from the training family; the cross-grading split cycles through operators and codecs that
/// the training family never uses.
/// </summary>
public static class SdrDegradation
{
    /// <summary>Changes whenever an operator, draw or codec level changes, so a dataset folder built with another version is refused.</summary>
    public const int Version = 3;

    /// <summary>
    /// Default share of training frames made exactly the paper's way (BT.2446 C, no scene, exposure or saturation change,
    /// x265 intra), beyond the 1-in-25 such frames the family draws by chance. 0, the data of the shipped models: a
    /// 35 % share (the QP-37 "mix" run, README) won back 1.2 dB on the paper-style test split but lost 1.6 dB on the
    /// cross-grading split, which stands for real footage.
    /// </summary>
    public const double DefaultPaperShare = 0;

    /// <summary>Operators the training family draws from (with weights).</summary>
    public static IReadOnlyList<(ToneOperator Operator, double Weight)> TrainingOperators { get; } =
    [
        (ToneOperator.Bt2446C, 0.20), (ToneOperator.Bt2446A, 0.15), (ToneOperator.ReinhardLuminance, 0.15),
        (ToneOperator.FilmicChannel, 0.20), (ToneOperator.ExposureClip, 0.15), (ToneOperator.LocalContrast, 0.15),
    ];

    public static IReadOnlyList<(SdrCodec Codec, double Weight)> TrainingCodecs { get; } =
        [(SdrCodec.X265Intra, 0.40), (SdrCodec.X265Inter, 0.20), (SdrCodec.X264, 0.25), (SdrCodec.Mpeg2, 0.15)];

    /// <summary>Operators and codecs of the cross-grading split (never drawn for training).</summary>
    public static IReadOnlyList<ToneOperator> CrossOperators { get; } = [ToneOperator.HableChannel, ToneOperator.DragoLuminance, ToneOperator.MobiusChannel];

    public static IReadOnlyList<SdrCodec> CrossCodecs { get; } = [SdrCodec.Vp9, SdrCodec.Mpeg4];

    /// <summary>
    /// A training recipe, reproducible from the frame name and seed: the paper's recipe for <paramref name="paperShare"/>
    /// of frames (decided from a stream of its own, so the other frames draw as they would with no paper share).
    /// </summary>
    public static SdrRecipe DrawTraining(string frameName, int seed, double paperShare = DefaultPaperShare)
    {
        if (new Random((int)(StableHash(frameName, ~seed) & 0x7fffffff)).NextDouble() < paperShare) return SdrRecipe.Paper;
        var rng = new Random((int)(StableHash(frameName, seed) & 0x7fffffff));
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        var op = Pick(rng, TrainingOperators);
        bool standard = op is ToneOperator.Bt2446A or ToneOperator.Bt2446C;
        return new SdrRecipe
        {
            Operator = op,
            ExposureStops = Math.Round(standard ? U(-0.5, 0.5) : U(-1, 1), 3),
            SdrSaturation = Math.Round(U(0.85, 1.2), 3),
            // The standards define their own signal (γ 2.4); the other operators are encoded every common way.
            Encoding = standard ? SdrEncoding.Bt1886 : Pick(rng, [(SdrEncoding.Bt1886, 0.5), (SdrEncoding.Srgb, 0.3), (SdrEncoding.Gamma22, 0.2)]),
            SceneSaturation = Math.Round(U(0.7, 1.4), 3),
            SceneRedGain = Math.Round(Math.Pow(2, U(-0.1, 0.1)), 4),
            SceneBlueGain = Math.Round(Math.Pow(2, U(-0.1, 0.1)), 4),
            Codec = Pick(rng, TrainingCodecs),
            Scale = rng.NextDouble() < 0.7 ? 1 : Pick(rng, [(0.5, 1.0), (2.0 / 3, 1.0), (0.75, 1.0)]),
        };
    }

    /// <summary>The cross-grading recipe of the k-th frame: operators in turn, codecs alternating every three frames.</summary>
    public static SdrRecipe Cross(int index) => new()
    {
        Operator = CrossOperators[index % CrossOperators.Count],
        Encoding = (index % CrossOperators.Count) switch { 0 => SdrEncoding.Srgb, 1 => SdrEncoding.Gamma22, _ => SdrEncoding.Bt1886 },
        Codec = CrossCodecs[index / CrossOperators.Count % CrossCodecs.Count],
    };

    /// <summary>Scene variation on linear BT.709 light, in place: white-balance gains, then saturation about luminance (negatives → 0).</summary>
    public static void ApplyScene(RgbPlanarFrame linear709, SdrRecipe recipe)
    {
        if (!recipe.ChangesScene) return;
        int n = linear709.PixelCount;
        var d = linear709.Data;
        float kr = (float)recipe.SceneRedGain, kb = (float)recipe.SceneBlueGain, s = (float)recipe.SceneSaturation;
        for (int i = 0; i < n; i++)
        {
            float r = d[i] * kr, g = d[n + i], b = d[2 * n + i] * kb;
            float y = (float)(HdrGrading.Kr * r + HdrGrading.Kg * g + HdrGrading.Kb * b);
            d[i] = MathF.Max(0, y + s * (r - y));
            d[n + i] = MathF.Max(0, y + s * (g - y));
            d[2 * n + i] = MathF.Max(0, y + s * (b - y));
        }
    }

    /// <summary>SDR BT.709 code values in [0, 1] (before compression) from the graded HDR frame (PQ BT.2020 code values).</summary>
    public static RgbPlanarFrame Render(RgbPlanarFrame pqBt2020, SdrRecipe recipe, CancellationToken ct = default)
    {
        if (recipe.Operator is ToneOperator.Bt2446C or ToneOperator.Bt2446A)
        {
            // The standards take HDR light and give their own γ 2.4 signal. Method C goes through the same call as
            // paper-style builds, so their SDR stays bit-identical.
            var sdr = recipe.Operator == ToneOperator.Bt2446C
                ? ColorAdapter.HdrToSdr(pqBt2020, recipe.ExposureStops, ct)
                : Bt2446A.ToSdr(ToLight(pqBt2020, recipe.ExposureStops, toBt709: false), HdrEncoding.LinearCdm2, cancellationToken: ct);
            if (recipe.SdrSaturation != 1)
            {
                Decode(sdr, SdrEncoding.Bt1886);
                Saturate(sdr, recipe.SdrSaturation);
                Encode(sdr, SdrEncoding.Bt1886);
            }
            return sdr;
        }

        // The other operators work on BT.709 light relative to a display white: reference white (203 cd/m²) → 0.8.
        var x = ToLight(pqBt2020, recipe.ExposureStops, toBt709: true);
        float scale = (float)(0.8 / Bt2408.ReferenceWhite);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = MathF.Max(0, x.Data[i] * scale);
        switch (recipe.Operator)
        {
            case ToneOperator.ReinhardLuminance: ReinhardLuminance(x, key: 1.6, white: 6); break;
            case ToneOperator.FilmicChannel: PerChannel(x, Narkowicz); break;
            case ToneOperator.ExposureClip: break;
            case ToneOperator.LocalContrast: LocalContrast(x, targetStops: 5.5); break;
            case ToneOperator.HableChannel: PerChannel(x, v => Hable(HableExposure * v) / Hable(HableWhite)); break;
            case ToneOperator.DragoLuminance: Drago(x, bias: 0.85, whiteLevel: 0.6); break;
            case ToneOperator.MobiusChannel: Mobius(x, knee: 0.3); break;
            default: throw new ArgumentOutOfRangeException(nameof(recipe), recipe.Operator, "unknown operator");
        }
        if (recipe.SdrSaturation != 1) Saturate(x, recipe.SdrSaturation);
        Encode(x, recipe.Encoding);
        return x;
    }

    /// <summary>PQ BT.2020 → linear light in cd/m² × 2^stops, BT.2020 or (matrix, unclipped) BT.709.</summary>
    internal static RgbPlanarFrame ToLight(RgbPlanarFrame pq, double stops, bool toBt709)
    {
        var light = pq.Clone();
        St2084.Eotf(light.Data, light.Data);
        float k = (float)Math.Pow(2, stops);
        if (k != 1) for (int i = 0; i < light.Data.Length; i++) light.Data[i] *= k;
        if (toBt709) ColourSpaces.Bt2020ToBt709.TransformPlanes(light.Plane(0), light.Plane(1), light.Plane(2));
        return light;
    }

    private static float Luma(float r, float g, float b) => (float)(HdrGrading.Kr * r + HdrGrading.Kg * g + HdrGrading.Kb * b);

    private static void PerChannel(RgbPlanarFrame f, Func<double, double> curve)
    {
        for (int i = 0; i < f.Data.Length; i++) f.Data[i] = (float)curve(f.Data[i]);
    }

    // Narkowicz's ACES fit, f(1) ≈ 0.80, saturates towards 1.
    private static double Narkowicz(double v) => v * (2.51 * v + 0.03) / (v * (2.43 * v + 0.59) + 0.14);

    /// <summary>
    /// Linear SDR level that the cross-grading operators give BT.2408 reference white (203 cd/m²) at exposure 0: as bright
    /// as a camera or broadcast grade puts diffuse white (≈ 0.9 code), not as dark as the curves' textbook defaults
    /// (Hable ×2 → 0.43, Drago → 0.27), which would make the split a test of exposure rather than of grading.
    /// </summary>
    public const double CrossWhiteLevel = 0.75;

    private const double HableWhite = 11.2;

    // The input scale that puts 0.8 (reference white) at CrossWhiteLevel on Hable's curve: Hable(k·0.8)/Hable(11.2) = 0.75.
    private static readonly double HableExposure = Bisect(k => Hable(k * 0.8) / Hable(HableWhite) - CrossWhiteLevel, 0.1, 50) ;

    private static double Bisect(Func<double, double> f, double lo, double hi)
    {
        for (int i = 0; i < 100; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (f(mid) < 0) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    // Hable's Uncharted 2 curve (A..F as published).
    private static double Hable(double v)
    {
        const double a = 0.15, b = 0.50, c = 0.10, d = 0.20, e = 0.02, f = 0.30;
        return (v * (a * v + c * b) + d * e) / (v * (a * v + b) + d * f) - e / f;
    }

    /// <summary>Scales each pixel by g(Y)/Y, hue and relative chroma kept; channels then clip in <see cref="Encode"/>.</summary>
    private static void ScaleByLuminance(RgbPlanarFrame f, Func<double, int, double> mapY)
    {
        int n = f.PixelCount;
        var d = f.Data;
        for (int i = 0; i < n; i++)
        {
            double y = Luma(d[i], d[n + i], d[2 * n + i]);
            if (!(y > 1e-9)) { d[i] = d[n + i] = d[2 * n + i] = 0; continue; }
            float k = (float)(mapY(y, i) / y);
            d[i] *= k; d[n + i] *= k; d[2 * n + i] *= k;
        }
    }

    private static void ReinhardLuminance(RgbPlanarFrame f, double key, double white) =>
        ScaleByLuminance(f, (y, _) => { double l = key * y; return l * (1 + l / (white * white)) / (1 + l); });

    // Drago's curve with the frame's maximum as white, then the display gain (its Ld_max) that puts reference white
    // (0.8) at whiteLevel; what lands above 1 clips.
    private static void Drago(RgbPlanarFrame f, double bias, double whiteLevel)
    {
        int n = f.PixelCount;
        double max = 1e-6;
        for (int i = 0; i < n; i++) max = Math.Max(max, Luma(f.Data[i], f.Data[n + i], f.Data[2 * n + i]));
        double exponent = Math.Log(bias) / Math.Log(0.5), norm = 1 / Math.Log10(max + 1);
        double Curve(double y) => norm * Math.Log(y + 1) / Math.Log(2 + 8 * Math.Pow(y / max, exponent));
        double gain = whiteLevel / Curve(0.8);
        ScaleByLuminance(f, (y, _) => gain * Curve(y));
    }

    // mpv's Möbius: identity to the knee j, then (b²+2bj+j²)/(b−a)·(x+a)/(x+b), which reaches 1 at the frame peak.
    private static void Mobius(RgbPlanarFrame f, double knee)
    {
        double peak = Math.Max(1.0, f.Data.Max());
        if (peak <= 1.0) return;
        double j = knee;
        double a = -j * j * (peak - 1) / (j * j - 2 * j + peak);
        double b = (j * j - 2 * j * peak + peak) / (peak - 1);
        double scale = (b * b + 2 * b * j + j * j) / (b - a);
        PerChannel(f, v => v <= j ? v : scale * (v + a) / (v + b));
    }

    /// <summary>
    /// Local tone mapping: base = Gaussian blur (σ = 3 % of the width) of log₂ Y, compressed so its range spans
    /// <paramref name="targetStops"/> below white; detail (log₂ Y − base) kept at full strength.
    /// </summary>
    private static void LocalContrast(RgbPlanarFrame f, double targetStops)
    {
        int w = f.Width, h = f.Height, n = f.PixelCount;
        var logY = new float[n];
        for (int i = 0; i < n; i++) logY[i] = MathF.Log2(MathF.Max(Luma(f.Data[i], f.Data[n + i], f.Data[2 * n + i]), 1e-6f));
        var baseLayer = GaussianBlur(logY, w, h, sigma: 0.03 * w);
        float lo = baseLayer.Min(), hi = baseLayer.Max();
        float c = hi - lo > targetStops ? (float)(targetStops / (hi - lo)) : 1f;
        float top = MathF.Min(hi, 0.5f); // bright bases keep up to ~1.4× white before the clip
        ScaleByLuminance(f, (y, i) => Math.Pow(2, (baseLayer[i] - hi) * c + top + (logY[i] - baseLayer[i])));
    }

    private static float[] GaussianBlur(float[] src, int w, int h, double sigma)
    {
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var kernel = new float[2 * r + 1];
        for (int k = -r; k <= r; k++) kernel[k + r] = (float)Math.Exp(-k * k / (2 * sigma * sigma));
        float sum = kernel.Sum();
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= sum;
        var tmp = new float[src.Length];
        var dst = new float[src.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float acc = 0;
                for (int k = -r; k <= r; k++) acc += kernel[k + r] * src[y * w + Math.Clamp(x + k, 0, w - 1)];
                tmp[y * w + x] = acc;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float acc = 0;
                for (int k = -r; k <= r; k++) acc += kernel[k + r] * tmp[Math.Clamp(y + k, 0, h - 1) * w + x];
                dst[y * w + x] = acc;
            }
        return dst;
    }

    private static void Saturate(RgbPlanarFrame f, double s)
    {
        int n = f.PixelCount;
        var d = f.Data;
        float k = (float)s;
        for (int i = 0; i < n; i++)
        {
            float y = Luma(d[i], d[n + i], d[2 * n + i]);
            d[i] = MathF.Max(0, y + k * (d[i] - y));
            d[n + i] = MathF.Max(0, y + k * (d[n + i] - y));
            d[2 * n + i] = MathF.Max(0, y + k * (d[2 * n + i] - y));
        }
    }

    /// <summary>Display light relative to white (clipped to [0, 1]) → signal, in place.</summary>
    private static void Encode(RgbPlanarFrame f, SdrEncoding encoding)
    {
        var d = f.Data;
        for (int i = 0; i < d.Length; i++)
        {
            double l = double.IsNaN(d[i]) ? 0 : Math.Clamp(d[i], 0.0, 1.0);
            d[i] = (float)(encoding switch
            {
                SdrEncoding.Srgb => Srgb.InverseEotf(l),
                SdrEncoding.Gamma22 => Math.Pow(l, 1 / 2.2),
                _ => Math.Pow(l, 1 / 2.4),
            });
        }
    }

    private static void Decode(RgbPlanarFrame f, SdrEncoding encoding)
    {
        var d = f.Data;
        for (int i = 0; i < d.Length; i++)
            d[i] = (float)(encoding switch
            {
                SdrEncoding.Srgb => Srgb.Eotf(d[i]),
                SdrEncoding.Gamma22 => Math.Pow(d[i], 2.2),
                _ => Math.Pow(d[i], 2.4),
            });
    }

    /// <summary>
    /// The ffmpeg video-encoder arguments of a codec at the level matching HEVC <paramref name="qp"/>. x264 shares
    /// HEVC's quantiser-step scale (step doubles every 6 QP), so it runs at the same QP; MPEG-2 and MPEG-4 Part 2
    /// take the quantiser scale whose step ≈ 2^((QP − 4)/6) (step = 2·qscale for flat matrices), clamped to 2–31;
    /// VP9 runs constant quality at crf = round(QP · 63/51) (same position on its 0–63 scale).
    /// </summary>
    public static List<string> EncoderArgs(SdrCodec codec, int qp, string x265Preset) => codec switch
    {
        SdrCodec.X265Intra => ["-c:v", "libx265", "-preset", x265Preset, "-x265-params", Hevc.X265Params(qp)],
        SdrCodec.X265Inter => ["-c:v", "libx265", "-preset", x265Preset, "-x265-params", FormattableString.Invariant($"qp={qp}:log-level=error")],
        SdrCodec.X264 => ["-c:v", "libx264", "-preset", "medium", "-qp", Hevc.Qp(qp)],
        SdrCodec.Mpeg2 => ["-c:v", "mpeg2video", "-qscale:v", MpegQscale(qp), "-g", "12", "-bf", "2"],
        SdrCodec.Mpeg4 => ["-c:v", "mpeg4", "-qscale:v", MpegQscale(qp), "-g", "12", "-bf", "2"],
        SdrCodec.Vp9 => ["-c:v", "libvpx-vp9", "-crf", Vp9Crf(qp).ToString(CultureInfo.InvariantCulture), "-b:v", "0", "-row-mt", "1", "-deadline", "good", "-cpu-used", "4"],
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown codec"),
    };

    public static int Vp9Crf(int qp) => Math.Clamp((int)Math.Round(qp * 63.0 / 51), 0, 63);

    private static string MpegQscale(int qp) =>
        Math.Clamp((int)Math.Round(Math.Pow(2, (qp - 4) / 6.0) / 2), 2, 31).ToString(CultureInfo.InvariantCulture);

    private static T Pick<T>(Random rng, IReadOnlyList<(T Item, double Weight)> items)
    {
        double u = rng.NextDouble() * items.Sum(t => t.Weight);
        foreach (var (item, weight) in items)
        {
            if (u < weight) return item;
            u -= weight;
        }
        return items[^1].Item;
    }

    /// <summary>FNV-1a of the name and seed (string.GetHashCode is randomised per process).</summary>
    internal static uint StableHash(string name, int seed)
    {
        uint h = 2166136261u ^ (uint)seed;
        foreach (char ch in name) h = (h ^ ch) * 16777619u;
        return h;
    }
}
