using HdrUp.Color.Internal;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>
/// SDR placed in an HDR PQ signal per ITU-R BT.2408 §5 ("display-referred" mapping): the SDR
/// signal is decoded with the BT.1886 EOTF (γ 2.4, black 0) onto a display whose white is the HDR
/// reference white, 203 cd/m² (BT.2408 Table 1), converted BT.709 → BT.2020 (BT.2087) and PQ encoded.
/// No expansion of highlights: SDR white stays at 203 cd/m², i.e. PQ 0.5807.
/// </summary>
public static class Bt2408
{
    /// <summary>HDR reference white of ITU-R BT.2408, cd/m².</summary>
    public const double ReferenceWhite = 203.0;

    /// <summary>
    /// One pixel: SDR BT.709 code values [0, 1] → PQ BT.2020 code values [0, 1].
    /// <paramref name="sdrWhite"/> is the luminance given to SDR code value 1, cd/m².
    /// </summary>
    public static (double R, double G, double B) SdrToPq(double r, double g, double b, double sdrWhite = ReferenceWhite)
    {
        var (lr, lg, lb) = ColourSpaces.Bt709ToBt2020.Transform(
            Bt1886.Eotf(r, sdrWhite), Bt1886.Eotf(g, sdrWhite), Bt1886.Eotf(b, sdrWhite));
        return (St2084.InverseEotf(lr), St2084.InverseEotf(lg), St2084.InverseEotf(lb));
    }

    /// <summary>
    /// Planes of SDR BT.709 code values [0, 1] → the placed light, linear BT.2020 in cd/m² (before PQ), SIMD per plane; in
    /// place allowed. The placement <see cref="Bt2408SdrMapper"/> encodes and <see cref="HueLock"/> scales.
    /// </summary>
    internal static void SdrToLinear(ReadOnlySpan<float> r, ReadOnlySpan<float> g, ReadOnlySpan<float> b,
        Span<float> outR, Span<float> outG, Span<float> outB, double sdrWhite = ReferenceWhite)
    {
        Bt1886.Eotf(r, outR, sdrWhite);
        Bt1886.Eotf(g, outG, sdrWhite);
        Bt1886.Eotf(b, outB, sdrWhite);
        ColourSpaces.Bt709ToBt2020.TransformPlanes(outR, outG, outB);
    }
}

/// <summary>
/// Frame version of <see cref="Bt2408.SdrToPq"/>: input SDR BT.709 code values in [0, 1],
/// output PQ BT.2020 code values in [0, 1]. SIMD per plane, row bands in parallel for large frames.
/// </summary>
public sealed class Bt2408SdrMapper(double sdrWhite = Bt2408.ReferenceWhite) : IFrameMapper
{
    public string Name => "bt2408";

    /// <summary>Luminance given to SDR code value 1, cd/m² (203 per BT.2408).</summary>
    public double SdrWhite { get; } = sdrWhite;

    public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default)
    {
        var output = input.Clone();
        double white = SdrWhite;
        FrameRows.ForBands(input.Width, input.Height, cancellationToken, (start, count) =>
        {
            var r = output.Plane(0).Slice(start, count);
            var g = output.Plane(1).Slice(start, count);
            var b = output.Plane(2).Slice(start, count);
            Bt2408.SdrToLinear(r, g, b, r, g, b, white);
            St2084.InverseEotf(r, r);
            St2084.InverseEotf(g, g);
            St2084.InverseEotf(b, b);
        });
        return output;
    }
}
