using System.Globalization;
using HdrUp.Media;

namespace HdrUp.Conversion.QpEstimation;

/// <summary>
/// How compressed a clip looks, on the scale KPNet's models were trained on.
/// </summary>
/// <param name="EquivalentQp">The HEVC all-intra QP (HM-style: every picture I at that QP, no QP offsets) whose distortion the clip's is estimated to match.</param>
/// <param name="NearestQp">The candidate (a shipped model's training QP) nearest to <paramref name="EquivalentQp"/>; ties go to the lower QP.</param>
/// <param name="Signal">"bitstream QP", "bitstream QP + bits per pixel", "bits per pixel + picture detail" or "lossless codec".</param>
/// <param name="Reason">One line: the signal's values and how they became <paramref name="EquivalentQp"/>.</param>
public sealed record QpEstimate(double EquivalentQp, int NearestQp, string Signal, string Reason);

/// <summary>The raw measurements behind a <see cref="QpEstimate"/> (for logs and calibration).</summary>
public sealed record QpSignals
{
    public required string Codec { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Windows { get; init; }

    /// <summary>Coded pictures read; those of each type (H.264/HEVC only).</summary>
    public required int Pictures { get; init; }
    public required int IPictures { get; init; }
    public required int PPictures { get; init; }
    public required int BPictures { get; init; }

    /// <summary>Mean slice QP of I, P and B pictures; NaN when none were seen (or the codec has no H.264/HEVC QP).</summary>
    public required double IntraQp { get; init; }
    public required double PQp { get; init; }
    public required double BQp { get; init; }

    /// <summary>Mean keyframe packet size in bits per luma pixel; NaN without keyframes.</summary>
    public required double KeyBitsPerPixel { get; init; }

    /// <summary>Mean packet size over every picture read, in bits per luma pixel.</summary>
    public required double BitsPerPixel { get; init; }

    /// <summary>Share of non-key pictures: 0 for intra-only streams.</summary>
    public required double InterShare { get; init; }

    /// <summary>Some picture's PPS allows per-block QP changes (always for H.264; HEVC <c>cu_qp_delta_enabled_flag</c>).</summary>
    public required bool BlockQp { get; init; }

    /// <summary>Luma statistics of the decoded keyframes (mean); NaN fields when none decoded.</summary>
    public required LumaStatistics Keyframes { get; init; }
    public required int KeyframesDecoded { get; init; }
}

/// <summary>
/// Estimates which of KPNet's per-QP models fits a clip (the paper trains one model per HEVC
/// all-intra QP 32/37/42/47, §5.1; our dataset uses x265 with <c>ipratio=1:aq-mode=0</c>, so the
/// training pictures are I pictures at exactly that QP). See docs/qp-estimation.md for the
/// calibration behind every constant here.
/// <list type="number">
/// <item>H.264 and HEVC: the stream's own quantiser, read from the slice headers (H.264 and HEVC
/// share the QP scale, Qstep doubling every 6). The equivalent QP is the mean I-picture QP plus, for
/// inter-coded streams, an offset for the coarser P/B pictures; inter streams whose blocks may
/// leave the slice QP (adaptive quantisation) average in the picture estimate below.</item>
/// <item>Other lossy codecs (MPEG-2, VP9, AV1, ProRes, …): a regression on keyframe bits per pixel
/// and the detail left in the decoded keyframes, fitted to clips encoded at known QPs
/// (8×8 blockiness is measured and reported but did not improve the fit).</item>
/// <item>Lossless codecs (PNG, FFV1, raw…): QP 0.</item>
/// </list>
/// </summary>
public static class QpEstimator
{
    /// <summary>Codecs that store pictures without loss: nothing to estimate.</summary>
    private static readonly HashSet<string> LosslessCodecs =
    [
        "png", "apng", "ffv1", "huffyuv", "ffvhuff", "utvideo", "rawvideo", "qtrle", "tiff", "bmp", "ppm", "pgm",
        "pam", "magicyuv", "lagarith", "zlib", "v210", "v410", "r210", "targa", "sgi", "qoi", "gif",
    ];

    /// <summary>
    /// Measures <paramref name="path"/> and names the candidate QP nearest to its compression level.
    /// Throws the one-line exceptions of <see cref="MediaProbe.Probe"/> for missing, empty or unreadable input.
    /// </summary>
    public static QpEstimate Estimate(string path, IReadOnlyCollection<int> candidateQps, CancellationToken ct = default)
    {
        CheckCandidates(candidateQps);
        return Estimate(MediaProbe.Probe(path, cancellationToken: ct), candidateQps, ct);
    }

    /// <summary><see cref="Estimate(string, IReadOnlyCollection{int}, CancellationToken)"/> of an input the caller has probed.</summary>
    public static QpEstimate Estimate(MediaInfo info, IReadOnlyCollection<int> candidateQps, CancellationToken ct = default)
    {
        CheckCandidates(candidateQps);
        if (LosslessCodecs.Contains(info.Codec))
            return Pick(0, candidateQps, "lossless codec", $"{info.Codec} is lossless: equivalent QP 0");
        return Estimate(Measure(info, ct), candidateQps);
    }

    /// <summary>Reads the signals of <paramref name="path"/> (probe, sampled packets and keyframes).</summary>
    public static QpSignals Measure(string path, CancellationToken ct = default) =>
        Measure(MediaProbe.Probe(path, cancellationToken: ct), ct);

    private static QpSignals Measure(MediaInfo info, CancellationToken ct)
    {
        StreamSample sample = StreamSampler.Sample(info, ct);
        var pictures = sample.Pictures;
        double pixels = Math.Max(1, (double)info.Width * info.Height);
        double MeanQp(PictureType t) => pictures.Where(p => p.Type == t && p.Qp is not null).Select(p => p.Qp!.Value).DefaultIfEmpty(double.NaN).Average();
        var keys = pictures.Where(p => p.IsKey).ToList();
        return new QpSignals
        {
            Codec = info.Codec,
            Width = info.Width,
            Height = info.Height,
            Windows = sample.Windows,
            Pictures = pictures.Count,
            IPictures = pictures.Count(p => p.Type == PictureType.I),
            PPictures = pictures.Count(p => p.Type == PictureType.P),
            BPictures = pictures.Count(p => p.Type == PictureType.B),
            IntraQp = MeanQp(PictureType.I),
            PQp = MeanQp(PictureType.P),
            BQp = MeanQp(PictureType.B),
            KeyBitsPerPixel = keys.Count == 0 ? double.NaN : keys.Average(p => p.Bytes * 8.0) / pixels,
            BitsPerPixel = pictures.Count == 0 ? double.NaN : pictures.Average(p => p.Bytes * 8.0) / pixels,
            BlockQp = pictures.Any(p => p.BlockQp),
            InterShare = pictures.Count == 0 ? 0 : 1.0 - (double)keys.Count / pictures.Count,
            Keyframes = LumaStatistics.Mean(sample.Keyframes),
            KeyframesDecoded = sample.Keyframes.Count,
        };
    }

    /// <summary>Maps measured signals to an estimate; <paramref name="useBitstreamQp"/> false forces the fallback (for calibration).</summary>
    public static QpEstimate Estimate(QpSignals s, IReadOnlyCollection<int> candidateQps, bool useBitstreamQp = true)
    {
        CheckCandidates(candidateQps);
        bool pictureUsable = !double.IsNaN(s.KeyBitsPerPixel) && s.KeyBitsPerPixel > 0 && !double.IsNaN(s.Keyframes.Activity);
        double picture = pictureUsable ? Calibration.FromPicture(s) : double.NaN;
        string pictureText = pictureUsable ? FormattableString.Invariant(
            $"keyframe {s.KeyBitsPerPixel:0.###} bit/pixel, detail {s.Keyframes.Activity:0.##} (blockiness {s.Keyframes.Blockiness:0.###}) over {s.KeyframesDecoded} keyframes → QP {picture:0.#}") : "";
        if (useBitstreamQp && !double.IsNaN(s.IntraQp))
        {
            bool inter = s.PPictures + s.BPictures > 0;
            double offset = inter ? Calibration.InterOffset : s.Codec == "h264" ? Calibration.H264IntraOffset : 0;
            double bitstream = s.IntraQp + offset;
            string reason = FormattableString.Invariant($"{s.Codec} bitstream slice QP: I {s.IntraQp:0.#} ({s.IPictures} pictures)");
            if (inter)
                reason += FormattableString.Invariant($", P {Show(s.PQp)}, B {Show(s.BQp)} ({s.PPictures + s.BPictures} pictures)");
            reason += FormattableString.Invariant($", {(offset >= 0 ? "+" : "")}{offset:0.#} → {bitstream:0.#}");
            // Inter streams whose blocks may leave the slice QP are usually CRF/ABR encodes with adaptive
            // quantisation and MB-tree, whose real quantiser sat up to 9 QP above the slice-QP estimate in
            // calibration (never more than 1.4 below). Where the picture estimate is higher, it is averaged
            // in: RMS 4.5 → 3.2 on x264 CRF clips; 1.5 → 1.8 on x264 constant-QP clips.
            if (inter && s.BlockQp && pictureUsable && picture > bitstream)
            {
                double blended = (1 - Calibration.PictureWeight) * bitstream + Calibration.PictureWeight * picture;
                return Pick(blended, candidateQps, "bitstream QP + bits per pixel",
                    FormattableString.Invariant($"{reason}; block QPs may vary and the picture looks coarser, so averaged with {pictureText} → equivalent HEVC-intra QP {blended:0.#}"));
            }
            return Pick(bitstream, candidateQps, "bitstream QP", reason + FormattableString.Invariant($" = equivalent HEVC-intra QP {bitstream:0.#}"));
        }
        if (!pictureUsable)
            throw new InvalidDataException($"{s.Codec}: no keyframe could be read to estimate the compression level");
        return Pick(picture, candidateQps, "bits per pixel + picture detail",
            FormattableString.Invariant($"{s.Codec} has no readable QP: {pictureText} = equivalent HEVC-intra QP {picture:0.#} (±{Calibration.PictureError:0.#})"));
    }

    private static string Show(double v) => double.IsNaN(v) ? "–" : v.ToString("0.#", CultureInfo.InvariantCulture);

    private static void CheckCandidates(IReadOnlyCollection<int> candidateQps)
    {
        ArgumentNullException.ThrowIfNull(candidateQps);
        if (candidateQps.Count == 0)
            throw new ArgumentException("At least one candidate QP is needed.", nameof(candidateQps));
    }

    private static QpEstimate Pick(double qp, IReadOnlyCollection<int> candidates, string signal, string reason)
    {
        int nearest = candidates.OrderBy(c => Math.Abs(c - qp)).ThenBy(c => c).First();
        return new QpEstimate(qp, nearest, signal, $"{reason}; nearest trained QP {nearest}");
    }

    /// <summary>
    /// Constants fitted on 210 clips (6 sources × x265/x264/MPEG-2/VP9 at known QPs) against each clip's
    /// distortion-equivalent HEVC-intra QP (the x265 all-intra QP with the same luma PSNR on the same
    /// source); docs/qp-estimation.md has the data and the confusion table.
    /// </summary>
    internal static class Calibration
    {
        /// <summary>H.264 intra at QP q matches HEVC intra at q + 0.57 (18 x264 <c>-g 1</c> clips, RMS 0.28).</summary>
        public const double H264IntraOffset = 0.6;

        /// <summary>
        /// Added to the mean I-picture QP of inter-coded streams: x264/x265 code P pictures 3 QP and B
        /// pictures ~4.6 QP above I (ipratio 1.4, pbratio 1.3), and the clip's distortion follows them
        /// (72 constant-QP clips: +3.6, RMS 1.5; the mean of all slice QPs fitted worse, RMS 1.6).
        /// </summary>
        public const double InterOffset = 3.6;

        /// <summary>Weight of the picture estimate where block QPs may differ from the slice QP.</summary>
        public const double PictureWeight = 0.5;

        /// <summary>RMS error of <see cref="FromPicture"/> alone over the calibration clips (4.9 leaving each source out in turn).</summary>
        public const double PictureError = 4.5;

        /// <summary>
        /// Least-squares fit QP = 24.94 − 6.52·log2(keyframe bit/pixel) + 2.30·log2(detail + 0.5) + codec
        /// term (HEVC −0.53, MPEG-2 +0.71, VP9 +2.54, H.264 and others 0). −6.5 QP per doubling of the
        /// bits is the rate model (Qstep doubles every 6 QP); detail stands for how hard the content is
        /// to code. Blockiness and the flat-block share did not lower the leave-one-source-out error
        /// (5.1 and 5.6 against 4.9), so they are reported, not used.
        /// </summary>
        public static double FromPicture(QpSignals s) =>
            24.94 - 6.52 * Math.Log2(s.KeyBitsPerPixel) + 2.301 * Math.Log2(s.Keyframes.Activity + 0.5) + s.Codec switch
            {
                "hevc" => -0.531,
                "mpeg2video" => 0.71,
                "vp9" => 2.543,
                _ => 0,
            };
    }
}
