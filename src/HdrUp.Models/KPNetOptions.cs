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
    /// <summary>Plain element-wise sum of the aligned features; no <c>brain</c> module.</summary>
    Sum,
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
public sealed record KPNetOptions(
    int Nf = 64,
    KibMode Kib = KibMode.Full,
    KPNetBranches Branches = KPNetBranches.All,
    FusionMode Fusion = FusionMode.Ifm,
    bool IncludeUnusedModules = true)
{
    /// <summary>The published KPNet.</summary>
    public static KPNetOptions Published { get; } = new();

    /// <summary>Number of branches present.</summary>
    public int BranchCount => System.Numerics.BitOperations.PopCount((uint)(Branches & KPNetBranches.All));
}
