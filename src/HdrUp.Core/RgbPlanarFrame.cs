namespace HdrUp.Core;

/// <summary>
/// An RGB frame stored planar (all R, then all G, then all B: the C×H×W layout of the network's
/// tensors) in 32-bit floats. What the values mean is the caller's contract: SDR code values / 255,
/// PQ BT.2020 code values / 65535, or linear light; every API that takes a frame says which.
/// </summary>
public sealed class RgbPlanarFrame
{
    public RgbPlanarFrame(int width, int height)
        : this(width, height, new float[checked(3 * width * height)])
    {
    }

    public RgbPlanarFrame(int width, int height, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (data.Length != 3L * width * height)
            throw new ArgumentException($"Expected {3L * width * height} values for a {width}×{height} RGB frame, got {data.Length}.", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    public int Width { get; }
    public int Height { get; }
    public int PixelCount => Width * Height;

    /// <summary>The three planes back to back: R[0..W·H), G[W·H..2·W·H), B[2·W·H..3·W·H).</summary>
    public float[] Data { get; }

    public Span<float> Plane(int channel) => Data.AsSpan(channel * PixelCount, PixelCount);

    public float this[int channel, int y, int x]
    {
        get => Data[channel * PixelCount + y * Width + x];
        set => Data[channel * PixelCount + y * Width + x] = value;
    }

    public RgbPlanarFrame Clone() => new(Width, Height, (float[])Data.Clone());

    /// <summary>A new frame with the <paramref name="width"/>×<paramref name="height"/> region whose top-left pixel is (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public RgbPlanarFrame Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"Region {width}×{height} at ({x}, {y}) is outside the {Width}×{Height} frame.");
        var cropped = new RgbPlanarFrame(width, height);
        for (int c = 0; c < 3; c++)
            for (int row = 0; row < height; row++)
                Plane(c).Slice((y + row) * Width + x, width).CopyTo(cropped.Plane(c).Slice(row * width, width));
        return cropped;
    }
}
