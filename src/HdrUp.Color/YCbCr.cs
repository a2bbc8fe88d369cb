namespace HdrUp.Color;

/// <summary>Quantisation range of digital Y′CbCr / R′G′B′ code values.</summary>
public enum YCbCrRange
{
    /// <summary>Narrow ("video", "TV") range: Y′ 16..235, C 16..240 at 8 bit, scaled by 2^(n−8) (BT.709, BT.2020, BT.2100).</summary>
    Limited,

    /// <summary>Full ("PC") range: Y′ 0..2ⁿ−1, C centred on 2ⁿ⁻¹ (BT.2100 Table 9).</summary>
    Full,
}

/// <summary>
/// Non-constant-luminance luma coefficients: Y′ = Kr·R′ + Kg·G′ + Kb·B′ with Kg = 1 − Kr − Kb.
/// </summary>
public readonly record struct LumaCoefficients(double Kr, double Kb)
{
    /// <summary>ITU-R BT.709-6 item 3.2: Kr = 0.2126, Kb = 0.0722.</summary>
    public static LumaCoefficients Bt709 => new(0.2126, 0.0722);

    /// <summary>ITU-R BT.2020-2 Table 4 (NCL; also BT.2100): Kr = 0.2627, Kb = 0.0593.</summary>
    public static LumaCoefficients Bt2020 => new(0.2627, 0.0593);

    public double Kg => 1.0 - Kr - Kb;
}

/// <summary>
/// Non-constant-luminance Y′CbCr from gamma-encoded R′G′B′ (BT.709 item 3, BT.2020 Table 4), and
/// its quantisation to integer code values. Analogue values: R′G′B′ and Y′ in [0, 1], Cb and Cr in
/// [−0.5, 0.5].
/// </summary>
public static class YCbCr
{
    /// <summary>R′G′B′ [0, 1] → Y′ [0, 1], Cb and Cr [−0.5, 0.5].</summary>
    public static (double Y, double Cb, double Cr) FromRgb(double r, double g, double b, LumaCoefficients k)
    {
        double y = k.Kr * r + k.Kg * g + k.Kb * b;
        return (y, (b - y) / (2.0 * (1.0 - k.Kb)), (r - y) / (2.0 * (1.0 - k.Kr)));
    }

    /// <summary>Y′ [0, 1], Cb and Cr [−0.5, 0.5] → R′G′B′ (out-of-gamut combinations give values outside [0, 1]).</summary>
    public static (double R, double G, double B) ToRgb(double y, double cb, double cr, LumaCoefficients k)
    {
        double r = y + 2.0 * (1.0 - k.Kr) * cr;
        double b = y + 2.0 * (1.0 - k.Kb) * cb;
        return (r, (y - k.Kr * r - k.Kb * b) / k.Kg, b);
    }

    /// <summary>
    /// Analogue Y′CbCr → integer codes at <paramref name="bitDepth"/> (8 to 16), rounded to nearest
    /// and clipped to the valid codes: limited range keeps 2^(n−8) .. 2ⁿ − 2^(n−8) − 1 (0 and the top
    /// codes are reserved for timing, e.g. 4..1019 at 10 bit), full range 0 .. 2ⁿ − 1.
    /// </summary>
    public static (int Y, int Cb, int Cr) Quantize(double y, double cb, double cr, int bitDepth, YCbCrRange range)
    {
        var q = Quantiser.For(bitDepth, range);
        return (q.Code(q.YScale * y + q.YOffset), q.Code(q.CScale * cb + q.COffset), q.Code(q.CScale * cr + q.COffset));
    }

    /// <summary>Integer codes → analogue Y′ [0, 1], Cb and Cr [−0.5, 0.5] (super-white/black codes go slightly outside).</summary>
    public static (double Y, double Cb, double Cr) Dequantize(int y, int cb, int cr, int bitDepth, YCbCrRange range)
    {
        var q = Quantiser.For(bitDepth, range);
        return ((y - q.YOffset) / q.YScale, (cb - q.COffset) / q.CScale, (cr - q.COffset) / q.CScale);
    }

    /// <summary>
    /// Planar float <see cref="FromRgb"/>: R′G′B′ planes in, Y′/Cb/Cr planes out (output planes may alias the inputs).
    /// </summary>
    public static void FromRgb(ReadOnlySpan<float> r, ReadOnlySpan<float> g, ReadOnlySpan<float> b,
        Span<float> y, Span<float> cb, Span<float> cr, LumaCoefficients k)
    {
        var m = new Matrix3x3(
            k.Kr, k.Kg, k.Kb,
            -k.Kr / (2 * (1 - k.Kb)), -k.Kg / (2 * (1 - k.Kb)), 0.5,
            0.5, -k.Kg / (2 * (1 - k.Kr)), -k.Kb / (2 * (1 - k.Kr)));
        r.CopyTo(y);
        g.CopyTo(cb);
        b.CopyTo(cr);
        m.TransformPlanes(y[..r.Length], cb[..r.Length], cr[..r.Length]);
    }

    private readonly record struct Quantiser(double YScale, double YOffset, double CScale, double COffset, int Min, int Max)
    {
        public static Quantiser For(int bitDepth, YCbCrRange range)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bitDepth, 8);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(bitDepth, 16);
            double step = 1 << (bitDepth - 8);
            int max = (1 << bitDepth) - 1;
            return range == YCbCrRange.Limited
                // BT.709 item 4.6 / BT.2020 Table 5: D = round((219·Y′ + 16)·2^(n−8)), round((224·C + 128)·2^(n−8)).
                ? new Quantiser(219 * step, 16 * step, 224 * step, 128 * step, (int)step, max - (int)step)
                // BT.2100 Table 9 full range: round((2ⁿ − 1)·Y′), round((2ⁿ − 1)·C + 2ⁿ⁻¹).
                : new Quantiser(max, 0, max, 1 << (bitDepth - 1), 0, max);
        }

        public int Code(double v) => double.IsNaN(v) ? Min : (int)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), Min, Max);
    }
}
