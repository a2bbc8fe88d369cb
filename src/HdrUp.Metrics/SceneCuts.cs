using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// Cheap hard-cut detection on SDR frames, fed one frame at a time in order, for per-shot statistics. Two scores compare
/// each frame with the one before, both on BT.709 luma Y′ = 0.2126 R′ + 0.7152 G′ + 0.0722 B′ (code values in [0, 1]):
/// <list type="bullet">
/// <item><b>block score</b>: mean |ΔY′| over a <see cref="GridWidth"/>×<see cref="GridHeight"/> grid of block means
/// (blind to noise and compression, which do not move a block's mean);</item>
/// <item><b>histogram score</b>: half the L1 distance of the two frames' <see cref="HistogramBins"/>-bin Y′ histograms,
/// the share of pixels that changed level (blind to motion, which moves pixels but keeps their levels).</item>
/// </list>
/// A frame starts a new shot when both exceed their thresholds (defaults <see cref="DefaultBlockThreshold"/> and
/// <see cref="DefaultHistogramThreshold"/>). Either alone fails on real footage: on the bench clips (bench/clips) a
/// cockatoo's wings fill the frame and score 0.160 by blocks, as high as the sample clip's cut (0.164), but only 0.17 by
/// histogram against the cut's 0.43; the highest histogram score of any of the seven clips without a cut is 0.173.
/// Not detected: dissolves and fades (no single pair of frames differs enough) and cuts between shots of similar levels
/// and layout; a flash that changes the whole picture counts as a cut.
/// </summary>
public sealed class SceneCuts(double blockThreshold = SceneCuts.DefaultBlockThreshold, double histogramThreshold = SceneCuts.DefaultHistogramThreshold)
{
    public const int GridWidth = 32, GridHeight = 18, HistogramBins = 32;

    /// <summary>Mean |ΔY′| of the block grids (code values in [0, 1]) a cut must exceed.</summary>
    public const double DefaultBlockThreshold = 0.10;

    /// <summary>Share of pixels whose Y′ histogram bin changed that a cut must exceed.</summary>
    public const double DefaultHistogramThreshold = 0.30;

    private double[]? previousGrid, previousHistogram;

    public double BlockThreshold { get; } = blockThreshold > 0 ? blockThreshold : throw new ArgumentOutOfRangeException(nameof(blockThreshold), "must be positive");
    public double HistogramThreshold { get; } = histogramThreshold > 0 ? histogramThreshold : throw new ArgumentOutOfRangeException(nameof(histogramThreshold), "must be positive");

    /// <summary>The block score of the last frame added against the one before it (NaN for the first frame).</summary>
    public double LastBlockScore { get; private set; } = double.NaN;

    /// <summary>The histogram score of the last frame added against the one before it (NaN for the first frame).</summary>
    public double LastHistogramScore { get; private set; } = double.NaN;

    /// <summary>Adds the next frame (SDR BT.709 code values in [0, 1]); true when it starts a new shot (never for the first frame).</summary>
    public bool Add(RgbPlanarFrame sdr)
    {
        var (grid, histogram) = (Grid(sdr), Histogram(sdr));
        bool cut = false;
        if (previousGrid is not null && previousHistogram is not null)
        {
            if (previousGrid.Length != grid.Length)
                throw new ArgumentException("frames of one clip must all have the same size", nameof(sdr));
            double blocks = 0, levels = 0;
            for (int i = 0; i < grid.Length; i++) blocks += Math.Abs(grid[i] - previousGrid[i]);
            for (int i = 0; i < histogram.Length; i++) levels += Math.Abs(histogram[i] - previousHistogram[i]);
            LastBlockScore = blocks / grid.Length;
            LastHistogramScore = levels / 2;
            cut = LastBlockScore > BlockThreshold && LastHistogramScore > HistogramThreshold;
        }
        (previousGrid, previousHistogram) = (grid, histogram);
        return cut;
    }

    private static double Luma(float[] d, int n, int i) => 0.2126 * d[i] + 0.7152 * d[n + i] + 0.0722 * d[2 * n + i];

    /// <summary>The block means of a frame's luma; blocks split the frame as evenly as whole pixels allow
    /// (frames smaller than the grid repeat pixels across blocks).</summary>
    public static double[] Grid(RgbPlanarFrame sdr)
    {
        int w = sdr.Width, h = sdr.Height, n = sdr.PixelCount;
        float[] d = sdr.Data;
        var grid = new double[GridWidth * GridHeight];
        for (int by = 0; by < GridHeight; by++)
        {
            int y0 = by * h / GridHeight, y1 = Math.Max(y0 + 1, (by + 1) * h / GridHeight);
            for (int bx = 0; bx < GridWidth; bx++)
            {
                int x0 = bx * w / GridWidth, x1 = Math.Max(x0 + 1, (bx + 1) * w / GridWidth);
                double sum = 0;
                for (int y = y0; y < y1; y++)
                    for (int i = y * w + x0; i < y * w + x1; i++)
                        sum += Luma(d, n, i);
                grid[by * GridWidth + bx] = sum / ((y1 - y0) * (x1 - x0));
            }
        }
        return grid;
    }

    /// <summary>The normalised histogram of a frame's luma in <see cref="HistogramBins"/> equal bins over [0, 1].</summary>
    public static double[] Histogram(RgbPlanarFrame sdr)
    {
        int n = sdr.PixelCount;
        float[] d = sdr.Data;
        var histogram = new double[HistogramBins];
        for (int i = 0; i < n; i++)
            histogram[Math.Clamp((int)(Luma(d, n, i) * HistogramBins), 0, HistogramBins - 1)]++;
        for (int b = 0; b < HistogramBins; b++) histogram[b] /= n;
        return histogram;
    }
}
