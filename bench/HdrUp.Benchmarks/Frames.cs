using HdrUp.Core;

namespace HdrUp.Benchmarks;

/// <summary>1080p planar frames of seeded values for the colour and metric benchmarks.</summary>
internal static class Frames
{
    public const int Width = 1920, Height = 1080;

    /// <summary>Values uniform in [<paramref name="low"/>, <paramref name="high"/>): code values, or cd/m² for the PQ encoder.</summary>
    public static RgbPlanarFrame Uniform(int seed, double low = 0.3, double high = 0.7)
    {
        var random = new Random(seed);
        var frame = new RgbPlanarFrame(Width, Height);
        for (int i = 0; i < frame.Data.Length; i++) frame.Data[i] = (float)(low + (high - low) * random.NextDouble());
        return frame;
    }
}
