using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Conversion;
using HdrUp.Metrics;

namespace HdrUp.Conversion.Delivery;

/// <summary>What <see cref="DeliveryObserver"/> measured over one shot (or the whole clip).</summary>
public sealed class ShotStatistics(int firstFrame, (double Blocks, double Histogram)? cutScores)
{
    public int FirstFrame { get; } = firstFrame;

    /// <summary>The <see cref="SceneCuts"/> scores that opened this shot; null for the first.</summary>
    public (double Blocks, double Histogram)? CutScores { get; } = cutScores;

    public int Frames { get; private set; }
    public ContentLightLevelAccumulator Light { get; } = new();
    public ColourFidelityAccumulator Colour { get; } = new();
    public long Pixels { get; private set; }
    public long PixelsAboveReferenceWhite { get; private set; }

    public double ShareAboveReferenceWhite => Pixels == 0 ? 0 : (double)PixelsAboveReferenceWhite / Pixels;

    public void Add(RgbPlanarFrame pq, long above, ColourFidelityAccumulator frameColour)
    {
        Frames++;
        Light.Add(pq);
        Colour.Merge(frameColour);
        Pixels += pq.PixelCount;
        PixelsAboveReferenceWhite += above;
    }
}

/// <summary>
/// The per-frame side of <c>convert --report</c> and <c>--preview</c> (<see cref="IFrameObserver"/>): splits the clip
/// into shots at the cuts <see cref="SceneCuts"/> finds in the SDR input, and per shot and in total measures the light
/// levels (as <see cref="ContentLightLevelAccumulator"/> does for the file, so the totals are the file's MaxCLL/MaxFALL),
/// the share of pixels whose BT.2020 luminance is above HDR reference white (203 cd/m², <see cref="FalseColour.IsAbove"/>),
/// and hue drift and chroma ratio against the input (<see cref="ColourFidelityAccumulator"/>, as <c>hdrup eval --sdr</c>;
/// on frames above <see cref="ColourPixelBudget"/> pixels, on one pixel of each s×s block, see <see cref="ColourStride"/>).
/// It also keeps the frame pair the preview shows: frame <see cref="PreviewFrame"/> when one is asked for, otherwise
/// the frame whose SDR luma Y′ has the highest variance (the first of equals), because the frame with the widest
/// spread of levels shows the mapping over most of its range (shadows, mid-tones and highlights in one picture, so the
/// most false-colour bands), where a flat or dark frame shows little; it is chosen in the same single pass, so no frame
/// is decoded or mapped twice.
/// </summary>
public sealed class DeliveryObserver(int? previewFrame, bool measure) : IFrameObserver
{
    public const string AutoRule = "the frame with the highest variance of SDR luma Y′";

    /// <summary>
    /// Pixels per frame up to which hue drift is measured on every pixel. The metric costs about 30 powers per pixel
    /// (2.7 µs a pixel on this loaded 2-core machine: 5.5–6 s for a 1080p frame, as long as the fast network's frame),
    /// so larger frames are sampled on a regular grid that keeps about this many. A chroma-weighted mean over a
    /// quarter of a million pixels a frame barely moves: the 1080p bench clip dog_indoor (6 frames, BT.2446 A) measures
    /// 0.42631° on one pixel in 3×3 against 0.42623° on every pixel. Frames up to 640×360 are measured whole.
    /// </summary>
    public const int ColourPixelBudget = 250_000;

    private readonly SceneCuts cuts = new();
    private readonly List<ShotStatistics> shots = [];
    private double bestVariance = double.NegativeInfinity;

    public int? PreviewFrame { get; } = previewFrame;
    public SceneCuts Cuts => cuts;
    public IReadOnlyList<ShotStatistics> Shots => shots;
    public ShotStatistics Total { get; } = new(0, null);

    /// <summary>The grid step s of the hue drift's pixels (1: every pixel), set by the first frame.</summary>
    public int ColourStride { get; private set; } = 1;

    /// <summary>The pair the preview shows; null until a frame qualifies (or when the asked-for frame never came).</summary>
    public (int Index, RgbPlanarFrame Sdr, RgbPlanarFrame Pq)? Preview { get; private set; }

    public void Observe(int index, RgbPlanarFrame sdr, RgbPlanarFrame pq)
    {
        if (PreviewFrame is int wanted)
        {
            if (index == wanted) Preview = (index, sdr, pq);
        }
        else
        {
            double variance = LumaVariance(sdr);
            if (variance > bestVariance)
            {
                bestVariance = variance;
                Preview = (index, sdr, pq);
            }
        }
        if (!measure) return;

        bool cut = cuts.Add(sdr);
        if (shots.Count == 0 || cut)
            shots.Add(new ShotStatistics(index, cut ? (cuts.LastBlockScore, cuts.LastHistogramScore) : null));
        if (Total.Frames == 0)
            ColourStride = StrideFor(sdr.PixelCount);
        var colour = new ColourFidelityAccumulator();
        colour.Add(Sample(sdr, ColourStride), Sample(pq, ColourStride));
        long above = PixelsAbove(pq, FalseColour.ReferenceWhite);
        shots[^1].Add(pq, above, colour);
        Total.Add(pq, above, colour);
    }

    /// <summary>The smallest whole step s with (pixels / s²) ≤ <see cref="ColourPixelBudget"/>.</summary>
    public static int StrideFor(int pixels)
    {
        int s = 1;
        while ((long)pixels > (long)ColourPixelBudget * s * s) s++;
        return s;
    }

    /// <summary>The pixels at (s·i, s·j): every s-th pixel of every s-th row, as they are (not averaged, which would mix hues).</summary>
    public static RgbPlanarFrame Sample(RgbPlanarFrame frame, int stride)
    {
        if (stride == 1) return frame;
        int w = (frame.Width + stride - 1) / stride, h = (frame.Height + stride - 1) / stride, n = frame.PixelCount;
        var sample = new RgbPlanarFrame(w, h);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    sample.Data[c * w * h + y * w + x] = frame.Data[c * n + y * stride * frame.Width + x * stride];
        return sample;
    }

    /// <summary>Variance of BT.709 luma Y′ over a frame's pixels (SDR code values in [0, 1]).</summary>
    public static double LumaVariance(RgbPlanarFrame sdr)
    {
        int n = sdr.PixelCount;
        float[] d = sdr.Data;
        double sum = 0, squares = 0;
        for (int i = 0; i < n; i++)
        {
            double y = 0.2126 * d[i] + 0.7152 * d[n + i] + 0.0722 * d[2 * n + i];
            sum += y;
            squares += y * y;
        }
        double mean = sum / n;
        return Math.Max(0, squares / n - mean * mean);
    }

    /// <summary>Pixels of a PQ BT.2020 frame whose BT.2020 luminance is above <paramref name="level"/> cd/m².</summary>
    public static long PixelsAbove(RgbPlanarFrame pq, double level)
    {
        int n = pq.PixelCount;
        var light = new float[3 * n];
        St2084.Eotf(pq.Data, light);
        long count = 0;
        for (int i = 0; i < n; i++)
        {
            if (FalseColour.IsAbove(FalseColour.Luminance(light[i], light[n + i], light[2 * n + i]), level))
                count++;
        }
        return count;
    }
}
