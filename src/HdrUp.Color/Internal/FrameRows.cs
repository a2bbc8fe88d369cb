namespace HdrUp.Color.Internal;

/// <summary>Splits a frame's pixels into row bands and runs them in parallel only when the frame is large.</summary>
internal static class FrameRows
{
    // Below ~256 k pixels (a bit more than 720×360) thread start-up costs more than the work.
    private const int ParallelThreshold = 1 << 18;

    /// <summary>Calls <paramref name="band"/>(firstPixel, pixelCount) over the whole frame, bands aligned to rows.</summary>
    public static void ForBands(int width, int height, CancellationToken cancellationToken, Action<int, int> band)
    {
        long pixels = (long)width * height;
        if (pixels < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            cancellationToken.ThrowIfCancellationRequested();
            band(0, (int)pixels);
            return;
        }
        int bands = Math.Min(height, Environment.ProcessorCount * 4);
        int rowsPerBand = (height + bands - 1) / bands;
        Parallel.For(0, bands, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            int y0 = i * rowsPerBand, y1 = Math.Min(height, y0 + rowsPerBand);
            if (y1 > y0) band(y0 * width, (y1 - y0) * width);
        });
    }
}
