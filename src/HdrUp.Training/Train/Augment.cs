namespace HdrUp.Training.Train;

/// <summary>
/// The official augmentation (spec §11; BasicSR <c>augment</c> on H×W×C arrays): horizontal flip (reverse
/// columns), then vertical flip (reverse rows), then transpose (swap H and W), each applied only if its coin
/// came up. The same three decisions go to LQ and GT. Here on planar C×H×W buffers.
/// </summary>
public static class Augment
{
    /// <summary>
    /// Writes the augmented copy of <paramref name="source"/> (C×H×W) to <paramref name="destination"/>
    /// (C×W×H when <paramref name="transpose"/>, else C×H×W). Source and destination must not overlap.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, int channels, int height, int width,
        bool hflip, bool vflip, bool transpose, Span<float> destination)
    {
        int plane = height * width;
        if (source.Length < channels * plane || destination.Length < channels * plane)
            throw new ArgumentException($"Buffers hold {source.Length} and {destination.Length} values; {channels}×{height}×{width} needs {channels * plane}.");
        int outH = transpose ? width : height, outW = transpose ? height : width;
        for (int c = 0; c < channels; c++)
        {
            var src = source.Slice(c * plane, plane);
            var dst = destination.Slice(c * plane, plane);
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++)
                {
                    // Position in the flipped (not yet transposed) image, then undo both flips.
                    int y = transpose ? ox : oy, x = transpose ? oy : ox;
                    if (vflip) y = height - 1 - y;
                    if (hflip) x = width - 1 - x;
                    dst[oy * outW + ox] = src[y * width + x];
                }
        }
    }
}

/// <summary>One training sample's random decisions: crop window and the three coins.</summary>
public readonly record struct PatchDraw(int Index, int Top, int Left, bool Hflip, bool Vflip, bool Transpose);

/// <summary>
/// Draws batches as the official loader does (spec §11): each epoch a shuffled order of all pairs, consecutive
/// batches of <c>batch_size</c> from it (drop_last), per sample a crop offset uniform over 0…H−crop and 0…W−crop
/// inclusive, then three fair coins. Counter-based: batch <c>b</c> is a pure function of (seed, b) — epoch order
/// from <c>DataRng(seed, 1, epoch)</c>, draws from <c>DataRng(seed, 2, b)</c> — so the sampler's whole state is the
/// next batch index and a resumed run sees exactly the batches an uninterrupted one would.
/// </summary>
public sealed class PatchSampler
{
    private readonly PairedImages data;
    private readonly TrainDataOptions options;
    private readonly long seed;
    private long cachedEpoch = -1;
    private int[] order = [];

    public PatchSampler(PairedImages data, TrainDataOptions options, long seed)
    {
        this.data = data; this.options = options; this.seed = seed;
        if (data.Count < options.BatchSize)
            throw new InvalidDataException($"{data.GtFiles[0]}: {data.Count} training pairs, fewer than one batch of {options.BatchSize} (batches drop the remainder).");
        for (int i = 0; i < data.Count; i++)
            if (data.Widths[i] < options.GtSize || data.Heights[i] < options.GtSize)
                throw new InvalidDataException($"{data.GtFiles[i]}: {data.Widths[i]}×{data.Heights[i]} is smaller than the {options.GtSize}-pixel crop.");
    }

    public int BatchesPerEpoch => data.Count / options.BatchSize;

    /// <summary>The random decisions of batch <paramref name="batchIndex"/> (0-based; iteration i uses batch i−1).</summary>
    public PatchDraw[] Draw(long batchIndex)
    {
        long epoch = batchIndex / BatchesPerEpoch;
        int start = (int)(batchIndex % BatchesPerEpoch) * options.BatchSize;
        if (epoch != cachedEpoch) { order = new DataRng(seed, 1, epoch).Permutation(data.Count); cachedEpoch = epoch; }
        var rng = new DataRng(seed, 2, batchIndex);
        int crop = options.GtSize;
        var draws = new PatchDraw[options.BatchSize];
        for (int s = 0; s < draws.Length; s++)
        {
            int i = order[start + s];
            int top = rng.NextInt(data.Heights[i] - crop + 1), left = rng.NextInt(data.Widths[i] - crop + 1);
            bool h = rng.NextBool(), v = rng.NextBool(), t = rng.NextBool();
            draws[s] = new PatchDraw(i, top, left, h && options.UseHflip, v && options.UseVflip, t && options.UseTranspose);
        }
        return draws;
    }

    /// <summary>Fills N×3×crop×crop LQ and GT buffers with batch <paramref name="batchIndex"/>.</summary>
    public void Fill(long batchIndex, float[] lq, float[] gt)
    {
        int crop = options.GtSize, sample = 3 * crop * crop;
        var lqTmp = new float[sample]; var gtTmp = new float[sample];
        var draws = Draw(batchIndex);
        for (int s = 0; s < draws.Length; s++)
        {
            var d = draws[s];
            data.Crop(d.Index, d.Top, d.Left, crop, lqTmp, gtTmp);
            Augment.Apply(lqTmp, 3, crop, crop, d.Hflip, d.Vflip, d.Transpose, lq.AsSpan(s * sample, sample));
            Augment.Apply(gtTmp, 3, crop, crop, d.Hflip, d.Vflip, d.Transpose, gt.AsSpan(s * sample, sample));
        }
    }
}
