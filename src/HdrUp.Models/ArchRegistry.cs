namespace HdrUp.Models;

/// <summary>One registered architecture: its name, a one-line description and its factory (width nf → network).</summary>
/// <param name="Name">Registry name, e.g. <c>kpnet</c>.</param>
/// <param name="Description">One line for <c>hdrup model list</c>.</param>
/// <param name="Factory">Builds the network for a feature width nf.</param>
/// <param name="KPNetOptions">The KPNet options (at nf = 64, or at the entry's fixed width) for KPNet-family entries, otherwise null.</param>
public sealed record ArchEntry(string Name, string Description, Func<int, HdrNetwork> Factory, KPNetOptions? KPNetOptions = null);

/// <summary>
/// Explicit name → factory table of every network HdrUp can build (BasicSR-style registry without
/// reflection). Names are lower-case; lookup is case-insensitive.
/// </summary>
public static class ArchRegistry
{
    /// <summary>Default feature width of every published model.</summary>
    public const int DefaultWidth = 64;

    private static readonly ArchEntry[] Ordered =
    [
        new("kpnet", "KPNet as published (TPAMI): 3 branches, shared KIB, IFM; 1,552,475 params at nf=64",
            nf => new KPNet(KPNetOptions.Published with { Nf = nf }), KPNetOptions.Published),
        new("kpnet-single-kib", "KPNet lightweight variant (scale_1.py): one full-res KIB, no fusion; 516,611 params",
            nf => new KPNetSingleKib(nf)),
        new("kunet", "KUNet (IJCAI 2022, KIB_DM_F_1x1): U-shaped KIB cascade with KIC skips; 1,136,643 params",
            nf => new KUNet(nf)),
        Ablation("kpnet-no-x", "KPNet ablation: KIB without X (R + Y)", new(Kib: KibMode.WithoutX)),
        Ablation("kpnet-no-y", "KPNet ablation: KIB without Y (R ⊙ X)", new(Kib: KibMode.WithoutY)),
        Ablation("kpnet-b1", "KPNet ablation: full-resolution branch only (no fusion)", new(Branches: KPNetBranches.Full)),
        Ablation("kpnet-b2", "KPNet ablation: half-resolution branch only (no fusion)", new(Branches: KPNetBranches.Half)),
        Ablation("kpnet-b3", "KPNet ablation: quarter-resolution branch only (no fusion)", new(Branches: KPNetBranches.Quarter)),
        Ablation("kpnet-b12", "KPNet ablation: full + half branches, IFM reduced to one pair", new(Branches: KPNetBranches.Full | KPNetBranches.Half)),
        Ablation("kpnet-b13", "KPNet ablation: full + quarter branches, IFM reduced to one pair", new(Branches: KPNetBranches.Full | KPNetBranches.Quarter)),
        Ablation("kpnet-b23", "KPNet ablation: half + quarter branches, IFM reduced to one pair", new(Branches: KPNetBranches.Half | KPNetBranches.Quarter)),
        Ablation("kpnet-sum-fusion", "KPNet ablation: three branches fused by plain sum instead of the IFM", new(Fusion: FusionMode.Sum)),
        Ablation("kpnet-lean", "KPNet as published minus the two never-executed modules (1,367,835 params)", new()),
        // Paper Tab. 2 rows 6, 7 and the R + Y counterpart: the KIB ablations "without IFM" (fused by the plain sum of
        // kpnet-sum-fusion, which is row 1, so rows 6/7 vs 1 compare like for like; the paper does not say what
        // replaces the IFM, the sum of the aligned features is the least the release's geometry needs).
        Ablation("kpnet-r-only-no-ifm", "KPNet ablation, paper Tab. 2 row 6: KIB = R only, branches summed without IFM; 1,078,595 params",
            new(Kib: KibMode.ROnly, Fusion: FusionMode.Sum)),
        Ablation("kpnet-no-y-no-ifm", "KPNet ablation, paper Tab. 2 row 7: KIB = R ⊙ X, branches summed without IFM; 1,086,915 params",
            new(Kib: KibMode.WithoutY, Fusion: FusionMode.Sum)),
        Ablation("kpnet-no-x-no-ifm", "KPNet ablation (no paper row; R + Y twin of row 7): KIB = R + Y, summed without IFM; 1,086,915 params",
            new(Kib: KibMode.WithoutX, Fusion: FusionMode.Sum)),
        Ablation("kpnet-r-only", "KPNet ablation (no paper row; IFM twin of row 6): KIB = R only, with the IFM; 1,351,195 params",
            new(Kib: KibMode.ROnly)),
        // Paper Tab. 2 rows 10 and 11: the two alternative fusions (Blocks/FusionVariants.cs).
        Ablation("kpnet-ifm-d", "KPNet ablation, paper Tab. 2 row 10 (IFM_D): fixed weights 0.3·H + 0.4·H/2 + 0.3·H/4, then refine; 1,136,323 params",
            new(Fusion: FusionMode.Weighted)),
        Ablation("kpnet-ifm-n", "KPNet ablation, paper Tab. 2 row 11 (IFM_N): per-branch 1×1 + RB + shared CA, summed, no pairs; 1,372,059 params",
            new(Fusion: FusionMode.Unpaired)),
        // Paper Tab. 4 "✓": feature normalisation in the KIB (BatchNorm after R's convolutions, Blocks/ReconTrunk.cs).
        Ablation("kpnet-norm", "KPNet ablation, paper Tab. 4 (normalisation ✓): BatchNorm after each conv of R but the upsampler; 1,368,859 params",
            new(Normalize: true)),
        // Narrow KPNet for the fast quality level: the published network (kpnet) at a fixed width, CA bottleneck max(8, nf/32).
        NarrowKPNet(16, 98_603),
        NarrowKPNet(24, 220_275),
        NarrowKPNet(32, 390_203),
        // A cheaper shape for the fast level (#11): only the H/2 branch (kpnet-b2), so the KIB, the costliest part,
        // runs on a quarter of the pixels; the full-resolution work left is conv_first, down_conv1 and the output head.
        NarrowKPNet(32, 176_547, "kpnet-half-nf32", "KPNet with the half-resolution branch only (kpnet-b2) at nf=32 (fast level)",
            KPNetOptions.Published with { Branches = KPNetBranches.Half, IncludeUnusedModules = false }),
        // Learned baselines of the KPNet paper, Tab. 1.
        new("csrnet", "CSRNet (ECCV 2020; HDRTVNet's AGCM): 1×1 base net modulated by a global condition net (GFM); 36,489 params",
            nf => new CSRNet(baseNf: nf)),
        new("dncnn", "DnCNN (TIP 2017): 17 layers, 3×3, BN, residual output = input + net(input); 558,403 params",
            nf => new DnCNN(nf)),
        new("dncnn-kunet", "Cascade DnCNN → KUNet (paper Tab. 1), keys dncnn.* / kunet.*, joint or from two checkpoints; 1,695,046 params",
            nf => new DnCNNKUNet(nf)),
        new("hdrtv", "HDRTVNet (ICCV 2021) without HG: AGCM (CSRNet with HDRTVNet's colour condition) → LE (SRResNet-style, 16 blocks); 1,405,110 params",
            nf => new HDRTVNet(nf)),
        new("dncnn-hdrtv", "Cascade DnCNN → HDRTVNet (paper Tab. 1), keys dncnn.* / hdrtv.*, joint or from two checkpoints; 1,963,513 params",
            nf => new DnCNNHDRTV(nf)),
        new("jsi-gan", "JSI-GAN's generator JSInet (AAAI 2020) at scale 1 (paper Tab. 1 '↓'): guided-filter base/detail, DR/LCE/IR subnets with pixel-wise filters; 1,061,222 params",
            nf => new JSInet(nf)),
        new("pixel2pixel", "Pixel2Pixel generator as counted in paper Tab. 1: pix2pix ResNet-9 (c7s1-64, d128, d256, R256×9, u128, u64, c7s1-3), BN, tanh; 11,383,427 params",
            nf => new Pixel2Pixel(nf)),
        new("pixel2pixel-unet", "pix2pix's own U-Net-256 generator (CVPR 2017, 8 levels, skips, input sides multiple of 256); 54,413,955 params",
            nf => new Pixel2PixelUNet(nf)),
        new("dpir", "DPIR's DRUNet (TPAMI 2022): 4-level U-Net of residual blocks, no bias, noise-level map (σ = 15/255) as 4th input; 32,640,960 params",
            nf => new DRUNet(nf)),
    ];

    private static readonly Dictionary<string, ArchEntry> ByName =
        Ordered.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every entry, in listing order.</summary>
    public static IReadOnlyList<ArchEntry> Entries => Ordered;

    /// <summary>Registered names, in listing order.</summary>
    public static IEnumerable<string> Names => Ordered.Select(e => e.Name);

    /// <summary>True if <paramref name="name"/> is registered.</summary>
    public static bool Contains(string name) => ByName.ContainsKey(name);

    /// <summary>The entry for <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static ArchEntry Get(string name) =>
        ByName.TryGetValue(name, out var entry)
            ? entry
            : throw new ArgumentException($"Unknown architecture '{name}'; known: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Builds the network registered as <paramref name="name"/> with width <paramref name="nf"/> (default 64).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">nf &lt; 8.</exception>
    public static HdrNetwork Create(string name, int nf = DefaultWidth)
    {
        if (nf < 8) throw new ArgumentOutOfRangeException(nameof(nf), nf, "Feature width nf must be at least 8.");
        return Get(name).Factory(nf);
    }

    // kpnet-nf{width}: exactly `kpnet` built with nf = width (never-executed modules included, so weights trained as
    // "kpnet" at that width load strictly). The width is part of the name: the default width (64, what `model list`
    // and the bench pass) or the entry's own width both build it; any other width is refused rather than ignored.
    private static ArchEntry NarrowKPNet(int width, long parameters, string? name = null, string? description = null, KPNetOptions? shape = null)
    {
        var options = (shape ?? KPNetOptions.Published) with { Nf = width };
        name ??= $"kpnet-nf{width}";
        description ??= $"KPNet as published at nf={width} (fast level), CA bottleneck {Math.Max(8, width / 32)}";
        return new ArchEntry(name,
            $"{description}; {parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} params",
            nf => nf == width || nf == DefaultWidth
                ? new KPNet(options)
                : throw new ArgumentOutOfRangeException(nameof(nf), nf, $"{name} has the fixed width {width}; build its shape at nf = {nf} instead."),
            options);
    }

    // Ablations are trained from scratch, so they do not carry the two never-executed modules.
    private static ArchEntry Ablation(string name, string description, KPNetOptions options)
    {
        options = options with { IncludeUnusedModules = false };
        return new ArchEntry(name, description, nf => new KPNet(options with { Nf = nf }), options);
    }
}
