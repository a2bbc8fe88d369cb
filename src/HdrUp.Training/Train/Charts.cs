using System.Globalization;
using HdrUp.Core;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace HdrUp.Training.Train;

/// <summary>
/// What every HdrUp chart shares (<see cref="CurvePlot"/>, the bench speed/quality scatter): ScottPlot plots whose text
/// is drawn with the embedded DejaVu Sans, and the log-scale axis.
/// </summary>
public static class Charts
{
    /// <summary>
    /// The name the embedded font is registered under. Not "DejaVu Sans": ScottPlot asks its resolvers in turn, so a
    /// name of our own makes the embedded file win on a machine that has DejaVu installed too, and charts render the
    /// same everywhere.
    /// </summary>
    public const string FontName = "HdrUp DejaVu Sans";

    private static readonly Lazy<SKTypeface> EmbeddedTypeface = new(() =>
    {
        using var stream = EmbeddedFonts.OpenDejaVuSans();
        var typeface = SKTypeface.FromStream(stream);
        if (typeface is null || typeface.GlyphCount == 0)
            throw new InvalidOperationException("the chart font (embedded DejaVu Sans) did not load");
        // First in the list: ScottPlot's system-font resolver would otherwise answer first, and with the
        // NoDependencies natives it finds no font, so text would silently draw nothing.
        Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver(typeface));
        return typeface;
    });

    /// <summary>The typeface text is drawn with; registers it with ScottPlot on first use.</summary>
    internal static SKTypeface Typeface => EmbeddedTypeface.Value;

    /// <summary>A plot with its title and axis titles, every text (also the legend's and later labels') in the embedded font.</summary>
    public static Plot New(string title, string xTitle, string yTitle)
    {
        _ = Typeface;
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Legend.FontName = FontName;
        plot.Title(title);
        plot.XLabel(xTitle);
        plot.YLabel(yTitle);
        return plot;
    }

    /// <summary>
    /// Makes <paramref name="axis"/> logarithmic in <paramref name="logBase"/>: ticks at whole powers, each labelled
    /// with the value it stands for, log-spaced minor ticks for base 10. ScottPlot 5 has no logarithmic axis type; its
    /// way is to plot log values (<see cref="Log"/>) on an axis labelled like this. Returns the axis range covering data
    /// from <paramref name="min"/> to <paramref name="max"/> (both positive) widened to whole powers, so both ends are
    /// labelled.
    /// </summary>
    public static (double Low, double High) LogScale(IAxis axis, double logBase, double min, double max, string labelFormat)
    {
        axis.TickGenerator = new NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = v => Math.Pow(logBase, v).ToString(labelFormat, CultureInfo.InvariantCulture),
            // Evenly spaced minor ticks would sit at non-round values of a base-2 axis; base 10 has the classic 2…9.
            MinorTickGenerator = logBase == 10 ? new LogMinorTickGenerator() : new EvenlySpacedMinorTickGenerator(1),
        };
        double low = Math.Floor(Log(min, logBase)), high = Math.Ceiling(Log(max, logBase));
        return (low, Math.Max(high, low + 1));
    }

    /// <summary>The coordinate of <paramref name="value"/> on an axis made by <see cref="LogScale"/>.</summary>
    public static double Log(double value, double logBase) => Math.Log(value) / Math.Log(logBase);

    private sealed class EmbeddedFontResolver(SKTypeface typeface) : IFontResolver
    {
        // One face for every weight and slant: bold titles are emboldened by Skia from the regular face.
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => fontName == FontName ? typeface : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            fontName == FontName ? typeface : null;
    }
}
