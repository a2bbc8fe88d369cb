namespace HdrUp.Color;

/// <summary>
/// A colour in ITU-R BT.2100 ICtCp with the PQ non-linearity (BT.2100 Table 6 / Table 7).
/// I is in [0, 1] (it equals the PQ code value of a neutral's luminance); Ct and Cp are signed,
/// roughly within ±0.5.
/// </summary>
public readonly record struct Ictcp(double I, double Ct, double Cp)
{
    // BT.2100 Table 6, integers over 4096 exactly as published (each row sums to 4096, so a
    // D65 neutral gives L = M = S = its luminance).
    internal static readonly Matrix3x3 RgbToLms = new(
        1688.0 / 4096, 2146.0 / 4096, 262.0 / 4096,
        683.0 / 4096, 2951.0 / 4096, 462.0 / 4096,
        99.0 / 4096, 309.0 / 4096, 3688.0 / 4096);

    // BT.2100 Table 7 (PQ), over 4096. The Ct and Cp rows sum to zero: neutrals have no chroma.
    internal static readonly Matrix3x3 LmsToIctcp = new(
        0.5, 0.5, 0,
        6610.0 / 4096, -13613.0 / 4096, 7003.0 / 4096,
        17933.0 / 4096, -17390.0 / 4096, -543.0 / 4096);

    internal static readonly Matrix3x3 LmsToRgb = RgbToLms.Inverse(), IctcpToLms = LmsToIctcp.Inverse();

    /// <summary>
    /// From linear BT.2020 RGB in absolute luminance, cd/m² (display light, [0, 10 000]; values
    /// outside are clamped by the PQ encoding of L, M, S, and NaN propagates).
    /// </summary>
    public static Ictcp FromBt2020Linear(double r, double g, double b)
    {
        var (l, m, s) = RgbToLms.Transform(r, g, b);
        var (i, ct, cp) = LmsToIctcp.Transform(St2084.InverseEotf(l), St2084.InverseEotf(m), St2084.InverseEotf(s));
        return new Ictcp(i, ct, cp);
    }

    /// <summary>
    /// Back to linear BT.2020 RGB in cd/m² (the inverse of <see cref="FromBt2020Linear"/> within PQ's range): L′M′S′
    /// outside [0, 1] are clamped first, and a colour outside BT.2020 comes back with a negative channel, for the
    /// caller to clip as it sees fit.
    /// </summary>
    public (double R, double G, double B) ToBt2020Linear()
    {
        var (lp, mp, sp) = IctcpToLms.Transform(I, Ct, Cp);
        return LmsToRgb.Transform(St2084.Eotf(Math.Clamp(lp, 0, 1)), St2084.Eotf(Math.Clamp(mp, 0, 1)), St2084.Eotf(Math.Clamp(sp, 0, 1)));
    }

    /// <summary>Chroma, the length of (Ct, Cp).</summary>
    public double Chroma => Math.Sqrt(Ct * Ct + Cp * Cp);

    /// <summary>
    /// From PQ-encoded BT.2020 R′G′B′ code values in [0, 1] (an HDR10 pixel / 1023, full range):
    /// the PQ EOTF is applied first, then <see cref="FromBt2020Linear"/>.
    /// </summary>
    public static Ictcp FromPqBt2020(double r, double g, double b) =>
        FromBt2020Linear(St2084.Eotf(r), St2084.Eotf(g), St2084.Eotf(b));
}

/// <summary>Colour-difference metrics.</summary>
public static class DeltaE
{
    /// <summary>
    /// ΔE_ITP of ITU-R BT.2124: 720·√(ΔI² + ΔT² + ΔP²) with T = 0.5·Ct and P = Cp. The scale 720
    /// makes 1 unit about one just-noticeable difference; identical colours give 0.
    /// </summary>
    public static double Itp(Ictcp a, Ictcp b)
    {
        double di = a.I - b.I;
        double dt = 0.5 * (a.Ct - b.Ct);
        double dp = a.Cp - b.Cp;
        return 720.0 * Math.Sqrt(di * di + dt * dt + dp * dp);
    }
}
