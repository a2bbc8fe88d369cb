using System.Globalization;

namespace HdrUp.Media;

/// <summary>
/// SMPTE ST 2086 mastering display colour volume, as HDR10 signals it (HEVC SEI written by x265
/// <c>master-display</c>): chromaticities of the display's primaries and white point in CIE 1931 xy,
/// and its luminance range in cd/m².
/// </summary>
public sealed record MasteringDisplay(
    double RedX, double RedY, double GreenX, double GreenY, double BlueX, double BlueY,
    double WhiteX, double WhiteY, double MaxLuminance, double MinLuminance)
{
    /// <summary>
    /// The usual HDR10 grading display and our default: DCI-P3 primaries, D65 white, 1000 cd/m² peak,
    /// 0.0001 cd/m² black (SMPTE RP 2087 / the UHD Alliance reference). KPNet's output, like most graded
    /// HDR10, stays inside P3 and below 1000 cd/m², so players tone-map for that volume.
    /// </summary>
    public static readonly MasteringDisplay P3D65_1000 = new(0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.3127, 0.3290, 1000, 0.0001);

    /// <summary>BT.2020 primaries, D65 white, 1000 cd/m² peak, 0.0001 cd/m² black: for content that fills BT.2020.</summary>
    public static readonly MasteringDisplay Bt2020_1000 = new(0.708, 0.292, 0.170, 0.797, 0.131, 0.046, 0.3127, 0.3290, 1000, 0.0001);

    /// <summary>
    /// x265's <c>master-display</c> string: G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min) with chromaticities in
    /// units of 0.00002 and luminance in units of 0.0001 cd/m² (HEVC D.3.28).
    /// P3D65_1000 gives G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1).
    /// </summary>
    public string ToX265()
    {
        static string C(double v) => Math.Round(v / 0.00002).ToString("0", CultureInfo.InvariantCulture);
        static string L(double v) => Math.Round(v / 0.0001).ToString("0", CultureInfo.InvariantCulture);
        return $"G({C(GreenX)},{C(GreenY)})B({C(BlueX)},{C(BlueY)})R({C(RedX)},{C(RedY)})WP({C(WhiteX)},{C(WhiteY)})L({L(MaxLuminance)},{L(MinLuminance)})";
    }
}
