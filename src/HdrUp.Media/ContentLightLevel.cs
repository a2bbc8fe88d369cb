using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>
/// HDR10 static content light levels (CTA-861.3 §6.3, carried in HEVC SEI by x265 <c>max-cll</c>):
/// MaxCLL, the brightest pixel of the programme, and MaxFALL, the brightest frame average, both in
/// whole cd/m² (0–65535; 0 means unknown).
/// </summary>
public readonly record struct ContentLightLevel(int MaxCll, int MaxFall)
{
    /// <summary>x265's <c>max-cll</c> value: "MaxCLL,MaxFALL".</summary>
    public string ToX265() => $"{MaxCll},{MaxFall}";

    public override string ToString() => $"MaxCLL {MaxCll} cd/m², MaxFALL {MaxFall} cd/m²";
}

/// <summary>
/// Accumulates <see cref="ContentLightLevel"/> over frames of PQ BT.2020 code values in [0, 1], one
/// frame at a time, so that a resumable pipeline can persist <see cref="MaxCll"/>, <see cref="MaxFall"/>
/// and <see cref="FrameCount"/> and continue later. Per CTA-861.3 Annex A: each pixel's light is
/// max(R, G, B) after the PQ EOTF (<see cref="St2084.Eotf(double)"/>), in cd/m²; MaxCLL is the maximum of
/// that over all pixels of all frames, MaxFALL the maximum over frames of its frame average. The whole
/// frame counts as active picture (letterbox bars, if any, lower the average). A non-finite channel counts as 0.
/// Thread-safe.
/// </summary>
public sealed class ContentLightLevelAccumulator
{
    private readonly object _gate = new();
    private double _maxCll;
    private double _maxFall;
    private long _frames;

    public ContentLightLevelAccumulator()
    {
    }

    /// <summary>Restores a persisted state.</summary>
    public ContentLightLevelAccumulator(double maxCll, double maxFall, long frameCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCll);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFall);
        ArgumentOutOfRangeException.ThrowIfNegative(frameCount);
        _maxCll = maxCll;
        _maxFall = maxFall;
        _frames = frameCount;
    }

    /// <summary>Brightest pixel so far, cd/m² (unrounded).</summary>
    public double MaxCll { get { lock (_gate) return _maxCll; } }

    /// <summary>Brightest frame average so far, cd/m² (unrounded).</summary>
    public double MaxFall { get { lock (_gate) return _maxFall; } }

    public long FrameCount { get { lock (_gate) return _frames; } }

    /// <summary>
    /// The values to signal: rounded to the nearest cd/m², clamped to 16 bits. A programme with any
    /// light gets at least 1, because 0 would mean "unknown".
    /// </summary>
    public ContentLightLevel Result
    {
        get
        {
            lock (_gate)
                return new ContentLightLevel(ToField(_maxCll), ToField(_maxFall));
        }
    }

    private static int ToField(double value) =>
        value <= 0 ? 0 : Math.Clamp((int)Math.Round(value, MidpointRounding.AwayFromZero), 1, 65535);

    /// <summary>Adds one frame of PQ BT.2020 code values in [0, 1].</summary>
    public void Add(RgbPlanarFrame pqFrame)
    {
        ArgumentNullException.ThrowIfNull(pqFrame);
        (double frameMax, double frameAverage) = Measure(pqFrame);
        lock (_gate)
        {
            _maxCll = Math.Max(_maxCll, frameMax);
            _maxFall = Math.Max(_maxFall, frameAverage);
            _frames++;
        }
    }

    /// <summary>Folds another accumulator in, e.g. one per worker thread.</summary>
    public void Merge(ContentLightLevelAccumulator other)
    {
        double cll, fall;
        long frames;
        lock (other._gate) (cll, fall, frames) = (other._maxCll, other._maxFall, other._frames);
        lock (_gate)
        {
            _maxCll = Math.Max(_maxCll, cll);
            _maxFall = Math.Max(_maxFall, fall);
            _frames += frames;
        }
    }

    /// <summary>Light levels of a whole sequence of PQ frames.</summary>
    public static ContentLightLevel Measure(IEnumerable<RgbPlanarFrame> pqFrames)
    {
        var accumulator = new ContentLightLevelAccumulator();
        foreach (RgbPlanarFrame frame in pqFrames)
            accumulator.Add(frame);
        return accumulator.Result;
    }

    private static float Finite(float v) => float.IsFinite(v) ? v : 0f;

    /// <summary>One frame's brightest pixel and average pixel light, cd/m².</summary>
    public static (double Max, double Average) Measure(RgbPlanarFrame pqFrame)
    {
        int n = pqFrame.PixelCount;
        ReadOnlySpan<float> r = pqFrame.Plane(0), g = pqFrame.Plane(1), b = pqFrame.Plane(2);
        // The EOTF is monotonic, so the brightest channel in code values is the brightest in light.
        float[] light = System.Buffers.ArrayPool<float>.Shared.Rent(n);
        try
        {
            Span<float> brightest = light.AsSpan(0, n);
            for (int i = 0; i < n; i++)
            {
                brightest[i] = Math.Max(Finite(r[i]), Math.Max(Finite(g[i]), Finite(b[i])));
            }
            St2084.Eotf(brightest, brightest);
            double sum = 0, max = 0;
            foreach (float nits in brightest)
            {
                sum += nits;
                if (nits > max) max = nits;
            }
            return (max, sum / n);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(light);
        }
    }
}
