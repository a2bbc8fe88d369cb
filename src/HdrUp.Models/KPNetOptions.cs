using System.Text.Json.Serialization;

namespace HdrUp.Models;

/// <summary>How the KIB combines its three sub-networks (paper Tab. 2 ablation).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KibMode>))]
public enum KibMode
{
    /// <summary>Published: KIB(x) = R(x) ⊙ X(x) + Y(x).</summary>
    Full,
    /// <summary>Without X: KIB(x) = R(x) + Y(x); no <c>alpha</c> module.</summary>
    WithoutX,
    /// <summary>Without Y: KIB(x) = R(x) ⊙ X(x); no <c>belta</c> module.</summary>
    WithoutY,
    /// <summary>R only (paper Tab. 2 row 6): KIB(x) = R(x); neither <c>alpha</c> nor <c>belta</c>.</summary>
    ROnly,
}

/// <summary>Which resolution branches exist (paper Tab. 5): B1 = full, B2 = half, B3 = quarter resolution.</summary>
[Flags]
[JsonConverter(typeof(JsonStringEnumConverter<KPNetBranches>))]
public enum KPNetBranches
{
    Full = 1,
    Half = 2,
    Quarter = 4,
    All = Full | Half | Quarter,
}

/// <summary>How the aligned half-resolution branch features are fused.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FusionMode>))]
public enum FusionMode
{
    /// <summary>Published Information Fusion Module (<c>brain</c>).</summary>
    Ifm,
    /// <summary>Plain element-wise sum of the aligned features; no <c>brain</c> module ("without IFM", Tab. 2 rows 1, 6, 7).</summary>
    Sum,
    /// <summary>
    /// IFM_D (Tab. 2 row 10, paper Eq. 15): fixed weighted sum α₁F¹ + α₂F² + α₃F³ with the paper's best
    /// α = (0.3, 0.4, 0.3), then the refinement convolutions the paper places in its tail (<c>brain.refine</c>).
    /// </summary>
    Weighted,
    /// <summary>
    /// IFM_N (Tab. 2 row 11): F_fuse = T₁[F¹] + T₂[F²] + T₃[F³], each branch through its own 1×1, its own residual
    /// block and the shared coordinate attention (no pairs), then ReLU and <c>brain.refine</c> as in the IFM.
    /// </summary>
    Unpaired,
}

/// <summary>
/// Constructor options of <see cref="KPNet"/>. The default value is the published network; every
/// other value is an ablation of paper Tab. 2 / Tab. 5 (not in the released code, so not weight-compatible
/// with any official checkpoint).
/// </summary>
/// <param name="Nf">Feature width (default 64).</param>
/// <param name="Kib">KIB combination (default <see cref="KibMode.Full"/>).</param>
/// <param name="Branches">Branches present (default all three).</param>
/// <param name="Fusion">Fusion of the aligned branches (default <see cref="FusionMode.Ifm"/>).</param>
/// <param name="IncludeUnusedModules">Create the never-executed <c>down_fea1</c> and <c>up_conv1</c>
/// (default true, needed for strict loading of official checkpoints and the official 1,552,475 count).</param>
/// <param name="Normalize">Feature normalisation in the KIB (paper Tab. 4, "✓" rows; default false as published):
/// a BatchNorm2d after every convolution of R except its upsampler (see <see cref="Blocks.ReconTrunk"/>).</param>
public sealed record KPNetOptions(
    int Nf = 64,
    KibMode Kib = KibMode.Full,
    KPNetBranches Branches = KPNetBranches.All,
    FusionMode Fusion = FusionMode.Ifm,
    bool IncludeUnusedModules = true,
    bool Normalize = false)
{
    /// <summary>The published KPNet.</summary>
    public static KPNetOptions Published { get; } = new();

    /// <summary>Number of branches present.</summary>
    public int BranchCount => System.Numerics.BitOperations.PopCount((uint)(Branches & KPNetBranches.All));
}
