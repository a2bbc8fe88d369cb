namespace HdrUp.Color;

/// <summary>A CIE 1931 xy chromaticity coordinate.</summary>
public readonly record struct Chromaticity(double X, double Y)
{
    /// <summary>XYZ of this chromaticity scaled to luminance Y = 1.</summary>
    public (double X, double Y, double Z) ToXyz() => (X / Y, 1.0, (1.0 - X - Y) / Y);
}

/// <summary>
/// An RGB colour space's primaries and white point. The RGB↔XYZ matrices are derived from the
/// chromaticities (SMPTE RP 177 §3.3): columns of P are each primary's XYZ at Y = 1, and the
/// per-primary scales S = P⁻¹·W make RGB = (1, 1, 1) the white point at Y = 1.
/// </summary>
public sealed record Primaries(string Name, Chromaticity Red, Chromaticity Green, Chromaticity Blue, Chromaticity White)
{
    private Matrix3x3? _rgbToXyz;

    /// <summary>Linear RGB → CIE XYZ (Y = 1 for RGB = 1, 1, 1). The middle row is the luminance weights.</summary>
    public Matrix3x3 RgbToXyz => _rgbToXyz ??= Derive();

    /// <summary>CIE XYZ → linear RGB.</summary>
    public Matrix3x3 XyzToRgb => RgbToXyz.Inverse();

    /// <summary>Luminance Y of linear RGB (1, 0, 0), (0, 1, 0), (0, 0, 1): Kr, Kg, Kb.</summary>
    public (double Kr, double Kg, double Kb) LuminanceWeights => (RgbToXyz.M21, RgbToXyz.M22, RgbToXyz.M23);

    /// <summary>Linear RGB in these primaries → linear RGB in <paramref name="target"/> (same white, no adaptation).</summary>
    public Matrix3x3 ConversionTo(Primaries target) => target.XyzToRgb * RgbToXyz;

    private Matrix3x3 Derive()
    {
        var r = Red.ToXyz();
        var g = Green.ToXyz();
        var b = Blue.ToXyz();
        var p = new Matrix3x3(r.X, g.X, b.X, r.Y, g.Y, b.Y, r.Z, g.Z, b.Z);
        var w = White.ToXyz();
        var (sr, sg, sb) = p.Inverse().Transform(w.X, w.Y, w.Z);
        return p * Matrix3x3.Diagonal(sr, sg, sb);
    }
}

/// <summary>The colour spaces HdrUp meets, with chromaticities as published.</summary>
public static class ColourSpaces
{
    /// <summary>CIE D65 as used by BT.709, BT.2020 and Display P3: (0.3127, 0.3290).</summary>
    public static readonly Chromaticity D65 = new(0.3127, 0.3290);

    /// <summary>ITU-R BT.709-6 item 1.3.</summary>
    public static readonly Primaries Bt709 = new("BT.709", new(0.640, 0.330), new(0.300, 0.600), new(0.150, 0.060), D65);

    /// <summary>ITU-R BT.2020-2 Table 3 (also BT.2100).</summary>
    public static readonly Primaries Bt2020 = new("BT.2020", new(0.708, 0.292), new(0.170, 0.797), new(0.131, 0.046), D65);

    /// <summary>Display P3: DCI-P3 primaries (SMPTE EG 432-1) with the D65 white.</summary>
    public static readonly Primaries DisplayP3 = new("Display P3", new(0.680, 0.320), new(0.265, 0.690), new(0.150, 0.060), D65);

    /// <summary>Linear BT.709 RGB → linear BT.2020 RGB (the ITU-R BT.2087 matrix, derived).</summary>
    public static readonly Matrix3x3 Bt709ToBt2020 = Bt709.ConversionTo(Bt2020);

    /// <summary>Linear BT.2020 RGB → linear BT.709 RGB; out-of-gamut colours give negative components.</summary>
    public static readonly Matrix3x3 Bt2020ToBt709 = Bt2020.ConversionTo(Bt709);
}
