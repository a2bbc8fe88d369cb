namespace HdrUp.Models;

/// <summary>One registered architecture: its name, a one-line description and its factory (width nf → network).</summary>
/// <param name="Name">Registry name, e.g. <c>kpnet</c>.</param>
/// <param name="Description">One line for <c>hdrup model list</c>.</param>
/// <param name="Factory">Builds the network for a feature width nf.</param>
/// <param name="KPNetOptions">The KPNet options at nf = 64 for KPNet-family entries, otherwise null.</param>
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

    // Ablations are trained from scratch, so they do not carry the two never-executed modules.
    private static ArchEntry Ablation(string name, string description, KPNetOptions options)
    {
        options = options with { IncludeUnusedModules = false };
        return new ArchEntry(name, description, nf => new KPNet(options with { Nf = nf }), options);
    }
}
