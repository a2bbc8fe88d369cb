using HdrUp.Training.Train;
using ScottPlot;

namespace HdrUp.Training.Tests.Train;

public class ChartsTests
{
    // Every chart text, regular or bold (titles), resolves to the typeface made from the embedded file, never to a
    // system font: the charts need none (the NoDependencies natives see none) and render alike on every machine.
    [Fact]
    public void Chart_text_uses_the_embedded_dejavu_sans()
    {
        var embedded = Charts.Typeface;
        Assert.Equal("DejaVu Sans", embedded.FamilyName);
        Assert.Same(embedded, Fonts.GetTypeface(Charts.FontName, bold: false, italic: false));
        Assert.Same(embedded, Fonts.GetTypeface(Charts.FontName, bold: true, italic: false));
        var plot = Charts.New("t", "x", "y");
        Assert.Equal(Charts.FontName, plot.Axes.Title.Label.FontName);
        Assert.Equal(Charts.FontName, plot.Axes.Bottom.Label.FontName);
        Assert.Equal(Charts.FontName, plot.Axes.Left.TickLabelStyle.FontName);
        Assert.Equal(Charts.FontName, plot.Legend.FontName);
    }

    // Whole powers around the data: 0.041…0.476 → 10^-2…10^0; 0.3…9 s → 2^-2…2^4; one value → one whole step. Ticks
    // are labelled with the value they stand for (G3: 10^3 is 1E+03).
    [Theory]
    [InlineData(10, 0.041, 0.476, -2, 0, "0.01", "1E+03")]
    [InlineData(2, 0.3, 9.0, -2, 4, "0.25", "8")]
    [InlineData(2, 4.0, 4.0, 2, 3, "0.25", "8")]
    public void Log_scale_spans_whole_powers_around_the_data(double logBase, double min, double max, double low, double high,
        string labelAtMinus2, string labelAt3)
    {
        var plot = new Plot();
        Assert.Equal((low, high), Charts.LogScale(plot.Axes.Left, logBase, min, max, "G3"));
        var ticks = (ScottPlot.TickGenerators.NumericAutomatic)plot.Axes.Left.TickGenerator;
        Assert.Equal(labelAtMinus2, ticks.LabelFormatter(-2));
        Assert.Equal(labelAt3, ticks.LabelFormatter(3));
    }
}
