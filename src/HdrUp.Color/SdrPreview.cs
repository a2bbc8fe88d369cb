namespace HdrUp.Color;

/// <summary>
/// Shows an HDR10 frame (PQ code values, BT.2020) on an SDR screen, for figures only: PQ → cd/m², BT.2020 → BT.709
/// (negatives clipped), 203 cd/m² (BT.2408 HDR reference white) → SDR 1.0, extended Reinhard
/// L·(1 + L/W²)/(1 + L) per channel with W = 1000 cd/m² / 203 so the HDR10 mastering peak lands on SDR white,
/// then BT.1886 encoding (γ 1/2.4). Per-channel compression keeps the figure simple to state; it desaturates
/// highlights, which is acceptable for side-by-side comparison of methods under one mapping.
/// </summary>
public static class SdrPreview
{
    public const double ReferenceWhiteNits = 203.0;
    public const double PeakNits = 1000.0;

    /// <summary>One pixel: PQ BT.2020 code values in, BT.709 display code values in [0, 1] out.</summary>
    public static (double R, double G, double B) FromPq(double r, double g, double b)
    {
        var (lr, lg, lb) = ColourSpaces.Bt2020ToBt709.Transform(St2084.Eotf(r), St2084.Eotf(g), St2084.Eotf(b));
        return (Encode(lr), Encode(lg), Encode(lb));
    }

    private static double Encode(double nits)
    {
        double l = Math.Max(0, nits) / ReferenceWhiteNits;
        const double w = PeakNits / ReferenceWhiteNits;
        double y = Math.Min(1, l * (1 + l / (w * w)) / (1 + l));
        return Math.Pow(y, 1 / 2.4);
    }
}
