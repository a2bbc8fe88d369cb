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
    private const double L_R = 1688.0 / 4096, L_G = 2146.0 / 4096, L_B = 262.0 / 4096;
    private const double M_R = 683.0 / 4096, M_G = 2951.0 / 4096, M_B = 462.0 / 4096;
    private const double S_R = 99.0 / 4096, S_G = 309.0 / 4096, S_B = 3688.0 / 4096;

    // BT.2100 Table 7 (PQ), over 4096. The Ct and Cp rows sum to zero: neutrals have no chroma.
    private const double Ct_L = 6610.0 / 4096, Ct_M = -13613.0 / 4096, Ct_S = 7003.0 / 4096;
    private const double Cp_L = 17933.0 / 4096, Cp_M = -17390.0 / 4096, Cp_S = -543.0 / 4096;

    /// <summary>
    /// From linear BT.2020 RGB in absolute luminance, cd/m² (display light, [0, 10 000]; values
    /// outside are clamped by the PQ encoding of L, M, S, and NaN propagates).
    /// </summary>
    public static Ictcp FromBt2020Linear(double r, double g, double b)
    {
        double l = L_R * r + L_G * g + L_B * b;
        double m = M_R * r + M_G * g + M_B * b;
        double s = S_R * r + S_G * g + S_B * b;
        double lp = St2084.InverseEotf(l);
        double mp = St2084.InverseEotf(m);
        double sp = St2084.InverseEotf(s);
        return new Ictcp(
            0.5 * lp + 0.5 * mp,
            Ct_L * lp + Ct_M * mp + Ct_S * sp,
            Cp_L * lp + Cp_M * mp + Cp_S * sp);
    }

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
