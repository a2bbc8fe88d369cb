namespace HdrUp.Models.Inference;

/// <summary>Shape of the blending weight across a tile overlap.</summary>
public enum TileBlend
{
    /// <summary>Raised-cosine ramp 0→1 across the overlap (smooth first derivative).</summary>
    Cosine,
    /// <summary>Linear ramp 0→1 across the overlap.</summary>
    Linear,
}

/// <summary>Options of <see cref="FrameInference"/>.</summary>
public sealed record InferenceOptions
{
    /// <summary>Intra-op threads for libtorch (torch.set_num_threads, process-wide); 0 leaves the current setting.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Tile edge in pixels; 0 (default) = whole frame. Frames whose both sides fit in one tile run whole.
    /// Rounded up to the network's size multiple. Tiling is an approximation for KPNet (its coordinate attention
    /// pools whole rows and columns); see <see cref="DefaultTileSize"/> for the measured accuracy.
    /// </summary>
    public int TileSize { get; init; }

    /// <summary>Minimum overlap between neighbouring tiles, blended with <see cref="Blend"/> (default 64).</summary>
    public int TileOverlap { get; init; } = DefaultTileOverlap;

    /// <summary>Blend ramp across overlaps (default cosine).</summary>
    public TileBlend Blend { get; init; } = TileBlend.Cosine;

    /// <summary>
    /// Recommended tile edge when a frame does not fit in memory whole: 512 px. Measured on a synthetic smooth
    /// 1920×1080 frame with KPNet (golden weights): tiles of 512 + 64 overlap reproduce the whole-frame output at
    /// a PSNR of about 40 dB (peak 1), 768 + 128 at about 43 dB; see the Models report.
    /// </summary>
    public const int DefaultTileSize = 512;

    /// <summary>Recommended overlap: 64 px.</summary>
    public const int DefaultTileOverlap = 64;
}
