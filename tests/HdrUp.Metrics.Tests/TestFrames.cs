using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

/// <summary>
/// Deterministic frames that crosscheck/reference.py can rebuild bit for bit: an LCG
/// (state ← (1103515245·state + 12345) mod 2³¹) whose top 24 bits, / 2²⁴, are exact float32 values in
/// [0, 1), filled in planar C, H, W order.
/// </summary>
internal static class TestFrames
{
    public static RgbPlanarFrame Lcg(int width, int height, uint seed)
    {
        var f = new RgbPlanarFrame(width, height);
        ulong state = seed;
        for (int i = 0; i < f.Data.Length; i++)
        {
            state = (1103515245UL * state + 12345UL) & 0x7FFFFFFFUL;
            f.Data[i] = (float)((state >> 7) / 16777216.0);
        }
        return f;
    }

    public static RgbPlanarFrame Constant(int width, int height, float value)
    {
        var f = new RgbPlanarFrame(width, height);
        Array.Fill(f.Data, value);
        return f;
    }

    /// <summary>gt + 0.05·(lcg − 0.5), clamped to [0, 1]: a "prediction" close to gt, as float32 like the reference script.</summary>
    public static RgbPlanarFrame Noisy(RgbPlanarFrame gt, uint seed)
    {
        var noise = Lcg(gt.Width, gt.Height, seed);
        var f = new RgbPlanarFrame(gt.Width, gt.Height);
        for (int i = 0; i < f.Data.Length; i++)
            f.Data[i] = Math.Clamp(gt.Data[i] + 0.05f * (noise.Data[i] - 0.5f), 0f, 1f);
        return f;
    }
}
