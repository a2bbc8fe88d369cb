using HdrUp.Media;
namespace HdrUp.Conversion.QpEstimation;

/// <summary>
/// No-reference compression statistics of one decoded 8-bit luma plane, measured on the 8×8 grid
/// that every block codec here shares (MPEG-2/H.264 8×8 transforms, H.264 4×4 inside it, HEVC's
/// transform units and deblocking grid are multiples of 8 or split it evenly).
/// </summary>
/// <param name="Blockiness">
/// (mean |ΔY| across block boundaries + 0.5) / (mean |ΔY| inside blocks + 0.5), horizontal and
/// vertical neighbours pooled. ≈ 1 for uncompressed pictures; rises with coarse quantisation,
/// less so for codecs with a strong in-loop deblocking filter (HEVC). The +0.5 keeps flat synthetic
/// pictures (both means ≈ 0) at ≈ 1.
/// </param>
/// <param name="Activity">Mean |ΔY| between horizontal and vertical neighbours inside blocks, in code values: detail left after compression.</param>
/// <param name="FlatShare">Share of aligned 8×8 blocks whose inside mean |ΔY| is below 0.5 code value, i.e. wiped flat (sensor noise and film grain survive only fine quantisation).</param>
public readonly record struct LumaStatistics(double Blockiness, double Activity, double FlatShare)
{
    private const int Grid = 8;
    private const double FlatThreshold = 0.5;

    /// <summary>Measures a <paramref name="width"/>×<paramref name="height"/> luma plane (row-major, no padding).</summary>
    public static LumaStatistics Measure(ReadOnlySpan<byte> luma, int width, int height)
    {
        if (luma.Length < width * height)
            throw new ArgumentException($"Need {width * height} bytes for a {width}×{height} plane.", nameof(luma));
        long boundarySum = 0, boundaryCount = 0, insideSum = 0, insideCount = 0;
        int blocksX = width / Grid, blocksY = height / Grid;
        var blockSum = new long[Math.Max(1, blocksX * blocksY)];

        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = luma.Slice(y * width, width);
            ReadOnlySpan<byte> above = y > 0 ? luma.Slice((y - 1) * width, width) : default;
            bool rowOnBoundary = y % Grid == 0;
            int by = y / Grid;
            for (int x = 0; x < width; x++)
            {
                int bx = x / Grid;
                bool inBlockGrid = bx < blocksX && by < blocksY;
                if (x > 0)
                {
                    int d = Math.Abs(row[x] - row[x - 1]);
                    if (x % Grid == 0) { boundarySum += d; boundaryCount++; }
                    else
                    {
                        insideSum += d; insideCount++;
                        if (inBlockGrid) blockSum[by * blocksX + bx] += d;
                    }
                }
                if (y > 0)
                {
                    int d = Math.Abs(row[x] - above[x]);
                    if (rowOnBoundary) { boundarySum += d; boundaryCount++; }
                    else
                    {
                        insideSum += d; insideCount++;
                        if (inBlockGrid) blockSum[by * blocksX + bx] += d;
                    }
                }
            }
        }

        double boundaryMean = boundaryCount == 0 ? 0 : (double)boundarySum / boundaryCount;
        double insideMean = insideCount == 0 ? 0 : (double)insideSum / insideCount;
        // Each whole block holds 2·8·7 inside differences (7 per row and per column, 8 rows and columns).
        const int insidePerBlock = 2 * Grid * (Grid - 1);
        int flat = 0, blocks = blocksX * blocksY;
        for (int i = 0; i < blocks; i++)
            if (blockSum[i] < FlatThreshold * insidePerBlock) flat++;
        return new LumaStatistics(
            (boundaryMean + 0.5) / (insideMean + 0.5),
            insideMean,
            blocks == 0 ? 0 : (double)flat / blocks);
    }

    /// <summary>Mean of several frames' statistics (each frame weighs the same).</summary>
    public static LumaStatistics Mean(IReadOnlyCollection<LumaStatistics> frames) => frames.Count == 0
        ? new LumaStatistics(double.NaN, double.NaN, double.NaN)
        : new LumaStatistics(frames.Average(f => f.Blockiness), frames.Average(f => f.Activity), frames.Average(f => f.FlatShare));
}
