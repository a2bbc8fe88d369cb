using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>
/// The colour transforms the dataset builder borrows from HdrUp.Color, in one place so the call
/// sites do not depend on that library's exact signatures.
/// </summary>
internal static class ColorAdapter
{
    /// <summary>Linear BT.709 RGB → linear BT.2020 RGB (same units), in place; matrix derived from the primaries by HdrUp.Color.</summary>
    public static RgbPlanarFrame Bt709ToBt2020(RgbPlanarFrame linear709)
    {
        ColourSpaces.Bt709ToBt2020.TransformPlanes(linear709.Plane(0), linear709.Plane(1), linear709.Plane(2));
        return linear709;
    }

    /// <summary>
    /// HDR10 (PQ BT.2020 code values in [0, 1]) → graded SDR BT.709 code values in [0, 1] with
    /// BT.2446 Method C (default α, 100 cd/m² SDR white, BT.1886 γ 2.4 encoding).
    /// <paramref name="exposureStops"/> scales the HDR light before the tone mapping.
    /// </summary>
    public static RgbPlanarFrame HdrToSdr(RgbPlanarFrame pqBt2020, double exposureStops, CancellationToken cancellationToken)
    {
        if (exposureStops == 0) return Bt2446C.ToSdr(pqBt2020, HdrEncoding.Pq, cancellationToken: cancellationToken);
        return Bt2446C.ToSdr(SdrDegradation.ToLight(pqBt2020, exposureStops, toBt709: false), HdrEncoding.LinearCdm2, cancellationToken: cancellationToken);
    }
}
