namespace HdrUp.Core;

/// <summary>
/// The one clamp and the one 16-bit quantisation of code values in [0, 1] (PQ or SDR code values / peak). The network's
/// output, the PNG frames, the cached frames and the lossless parts all go through these, so a frame measures, caches and
/// encodes to the same codes wherever it is written. NaN becomes 0: a network can emit it, and a code must exist.
/// </summary>
public static class UnitInterval
{
    /// <summary>The largest 16-bit code; code / <see cref="Code16Max"/> is the value it stands for.</summary>
    public const float Code16Max = 65535f;

    /// <summary>Clamps every value to [0, 1] in place, NaN to 0 (as the official test script clips before writing its PNGs).</summary>
    public static void Clamp(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = float.IsNaN(values[i]) ? 0f : Math.Clamp(values[i], 0f, 1f);
    }

    /// <summary>The 16-bit code of a value: clamped to [0, 1] (NaN → 0), × 65535 in float32, rounded half to even (MathF.Round's default, like numpy's round).</summary>
    public static ushort ToCode16(float value) =>
        float.IsNaN(value) ? (ushort)0 : (ushort)MathF.Round(Math.Clamp(value, 0f, 1f) * Code16Max);

    /// <summary>Replaces every value by the one its 16-bit code stands for, so a frame in memory equals its 16-bit file.</summary>
    public static void RoundToCode16(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = ToCode16(values[i]) / Code16Max;
    }
}
