namespace HdrUp.Models.Inference;

/// <summary>One forward pass on a planar 1×3×H×W buffer whose sides are multiples of the network's size multiple.</summary>
internal delegate void PlanarForward(float[] input, float[] output, int width, int height);

/// <summary>
/// <see cref="FrameInference"/>'s padding, cropping, tiling and blending on planar float buffers, for a forward that
/// takes buffers (ONNX Runtime), so a frame needs no libtorch tensor on the way. The arithmetic is the tensor path's,
/// operation for operation (float32 weights wy·wx, acc += out·w, acc / Σw), so the same forward gives the same frame
/// bit for bit. Buffers are kept between frames of one size. Not thread-safe.
/// </summary>
internal sealed class PlanarTiling(int multiple, InferenceOptions options, PlanarForward forward)
{
    private float[] input = [], output = [], sum = [], weight = [];

    /// <summary>Maps one planar 3×H×W frame (any H, W) into <paramref name="result"/>.</summary>
    public void Run(ReadOnlySpan<float> frame, Span<float> result, int width, int height)
    {
        int paddedWidth = FrameInference.RoundUp(width, multiple), paddedHeight = FrameInference.RoundUp(height, multiple);
        // As nn.functional.pad: reflect, unless a side is too short to reflect its padding, then replicate on both.
        bool reflect = paddedHeight - height < height && paddedWidth - width < width;
        var source = new Padded(frame, width, height, reflect);
        int tile = options.TileSize <= 0 ? 0 : FrameInference.RoundUp(options.TileSize, multiple);
        if (tile == 0 || (paddedHeight <= tile && paddedWidth <= tile))
        {
            Forward(source, 0, 0, paddedWidth, paddedHeight);
            Crop(output, paddedWidth, paddedHeight, result, width, height, null);
            return;
        }

        int overlap = options.TileOverlap;
        int tileHeight = Math.Min(tile, paddedHeight), tileWidth = Math.Min(tile, paddedWidth);
        sum = Cleared(sum, 3 * paddedWidth * paddedHeight);
        weight = Cleared(weight, paddedWidth * paddedHeight);
        int plane = paddedWidth * paddedHeight, tilePlane = tileWidth * tileHeight;
        foreach (long y0 in FrameInference.TileStarts(paddedHeight, tile, overlap, multiple))
        {
            float[] wy = FrameInference.Ramp(tileHeight, overlap, y0 > 0, y0 + tileHeight < paddedHeight, options.Blend);
            foreach (long x0 in FrameInference.TileStarts(paddedWidth, tile, overlap, multiple))
            {
                float[] wx = FrameInference.Ramp(tileWidth, overlap, x0 > 0, x0 + tileWidth < paddedWidth, options.Blend);
                Forward(source, (int)x0, (int)y0, tileWidth, tileHeight);
                for (int y = 0; y < tileHeight; y++)
                {
                    int at = (int)(y0 + y) * paddedWidth + (int)x0;
                    for (int x = 0; x < tileWidth; x++)
                    {
                        float w = wy[y] * wx[x];
                        weight[at + x] += w;
                        for (int c = 0; c < 3; c++)
                            sum[c * plane + at + x] += output[c * tilePlane + y * tileWidth + x] * w;
                    }
                }
            }
        }
        Crop(sum, paddedWidth, paddedHeight, result, width, height, weight);
    }

    // The forward pass on the width × height region of the padded frame whose top-left pixel is (x0, y0); into output.
    private void Forward(Padded source, int x0, int y0, int width, int height)
    {
        int length = 3 * width * height;
        if (input.Length != length) (input, output) = (new float[length], new float[length]);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                source.Row(c, y0 + y, x0, input.AsSpan((c * height + y) * width, width));
        forward(input, output, width, height);
    }

    // The top-left width × height pixels of a planar frame `stride` wide, divided by the blend weights if given.
    private static void Crop(float[] frame, int stride, int strideHeight, Span<float> result, int width, int height, float[]? weights)
    {
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
            {
                var from = frame.AsSpan((c * strideHeight + y) * stride, width);
                var to = result.Slice((c * height + y) * width, width);
                if (weights is null)
                {
                    from.CopyTo(to);
                    continue;
                }
                var w = weights.AsSpan(y * stride, width);
                for (int x = 0; x < width; x++) to[x] = from[x] / w[x];
            }
    }

    private static float[] Cleared(float[] buffer, int length)
    {
        if (buffer.Length != length) return new float[length];
        Array.Clear(buffer);
        return buffer;
    }

    /// <summary>A planar frame seen as extended at the bottom and right by reflection or replication.</summary>
    private readonly ref struct Padded
    {
        private readonly ReadOnlySpan<float> frame;
        private readonly int width, height;
        private readonly bool reflect;

        public Padded(ReadOnlySpan<float> frame, int width, int height, bool reflect)
        {
            this.frame = frame;
            this.width = width;
            this.height = height;
            this.reflect = reflect;
        }

        /// <summary>Row <paramref name="y"/> of channel <paramref name="c"/> from column <paramref name="x0"/>, as many pixels as <paramref name="to"/> holds.</summary>
        public void Row(int c, int y, int x0, Span<float> to)
        {
            var row = frame.Slice((c * height + Source(y, height)) * width, width);
            int inside = Math.Clamp(width - x0, 0, to.Length);
            row.Slice(x0, inside).CopyTo(to);
            for (int x = inside; x < to.Length; x++) to[x] = row[Source(x0 + x, width)];
        }

        // Index into a side of `length` pixels for index i of its padded extension (reflection does not repeat the edge).
        private int Source(int i, int length) => i < length ? i : reflect ? 2 * (length - 1) - i : length - 1;
    }
}
