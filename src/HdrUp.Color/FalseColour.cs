namespace HdrUp.Color;

/// <summary>One band of <see cref="FalseColour"/>: lights above <see cref="Lower"/> up to <see cref="Upper"/> cd/m²
/// (null: unbounded), drawn in 8-bit sRGB (<see cref="R"/>, <see cref="G"/>, <see cref="B"/>).</summary>
public readonly record struct LightBand(string Label, double? Lower, double? Upper, byte R, byte G, byte B);

/// <summary>
/// A false-colour map of HDR light, to see at a glance where a conversion put the picture: each pixel's BT.2020
/// luminance Y = 0.2627 R + 0.6780 G + 0.0593 B (BT.2100 Table 6, NCL) of its PQ-decoded light in cd/m², placed in
/// one of seven bands with edges 1, 10, 100, 203, 400 and 1000 cd/m². The edges are decades on a log scale up to
/// 100 (shadows, mid-tones, the SDR range), then BT.2408's HDR reference white (203 cd/m², where SDR white belongs),
/// then steps of about ×2 up to the common 1000 cd/m² mastering peak, because highlights are what an SDR-to-HDR
/// mapping adds and what a grader checks. Colours run cold to hot: navy, blue, teal, green (SDR levels up to reference
/// white), yellow, orange, red (above 1000).
/// <para>An edge belongs to the band below it (reference white is in "100–203", not a highlight), and a light within
/// <see cref="EdgeTolerance"/> of an edge counts as on it: more than half a 16-bit PQ step (≤ 0.03 % of the light
/// above 1 cd/m²), so a level meant to sit exactly on an edge (SDR white placed by BT.2408 decodes from its 16-bit
/// code as 202.987 or 203.01 cd/m²) stays in one band whichever way the rounding went.</para>
/// </summary>
public static class FalseColour
{
    /// <summary>Relative tolerance at the band edges (0.05 %).</summary>
    public const double EdgeTolerance = 5e-4;

    /// <summary>BT.2408 HDR reference white, the edge above which light counts as highlight.</summary>
    public const double ReferenceWhite = Bt2408.ReferenceWhite;

    private const double Kr = 0.2627, Kg = 0.6780, Kb = 0.0593;

    /// <summary>The bands from dark to bright.</summary>
    public static IReadOnlyList<LightBand> Bands { get; } =
    [
        new("< 1", null, 1, 0, 0, 110),
        new("1–10", 1, 10, 20, 80, 255),
        new("10–100", 10, 100, 0, 190, 200),
        new("100–203", 100, 203, 40, 200, 40),
        new("203–400", 203, 400, 255, 230, 0),
        new("400–1000", 400, 1000, 255, 130, 0),
        new("> 1000", 1000, null, 230, 0, 0),
    ];

    /// <summary>BT.2020 luminance of linear BT.2020 light (any unit; cd/m² in, cd/m² out).</summary>
    public static double Luminance(double r, double g, double b) => Kr * r + Kg * g + Kb * b;

    /// <summary>BT.2020 luminance in cd/m² of one pixel given as PQ code values in [0, 1].</summary>
    public static double LuminanceFromPq(double r, double g, double b) =>
        Luminance(St2084.Eotf(r), St2084.Eotf(g), St2084.Eotf(b));

    /// <summary>Index into <see cref="Bands"/> of a light in cd/m²; NaN and negatives fall in the darkest band.</summary>
    public static int BandIndex(double nits)
    {
        for (int i = 0; i < Bands.Count - 1; i++)
        {
            if (!(nits > Bands[i].Upper!.Value * (1 + EdgeTolerance)))
                return i;
        }
        return Bands.Count - 1;
    }

    /// <summary>Whether a light is above <paramref name="level"/> cd/m² under the same edge rule as the bands.</summary>
    public static bool IsAbove(double nits, double level) => nits > level * (1 + EdgeTolerance);
}
