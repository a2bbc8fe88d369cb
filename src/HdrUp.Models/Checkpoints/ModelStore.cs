namespace HdrUp.Models.Checkpoints;

/// <summary>
/// Loading and saving whole models for the CLI: weights (safetensors, or PyTorch .pth for loading) plus the
/// <see cref="ModelCard"/> next to them. The architecture comes from, in order: the explicit argument, the card,
/// the safetensors metadata written by <see cref="Save"/>.
/// </summary>
public static class ModelStore
{
    /// <summary>safetensors metadata key holding the registry name.</summary>
    public const string ArchitectureKey = "hdrup.architecture";
    /// <summary>safetensors metadata key holding the width nf.</summary>
    public const string WidthKey = "hdrup.width";

    /// <summary>Builds the network and loads the weights strictly; returns it in eval mode with its card (if any).</summary>
    /// <param name="weightsPath">.safetensors or PyTorch .pth state dict.</param>
    /// <param name="architecture">Registry name; null = from the card or the safetensors metadata.</param>
    /// <param name="nf">Width; null = from the card / metadata, else 64.</param>
    /// <exception cref="FileNotFoundException">No weights file.</exception>
    /// <exception cref="InvalidDataException">Architecture unknown or weights do not fit it (message names file and key).</exception>
    public static (HdrNetwork Network, ModelCard? Card) Load(string weightsPath, string? architecture = null, int? nf = null)
    {
        var (network, card, _) = LoadResolved(weightsPath, architecture, nf);
        return (network, card);
    }

    /// <summary><see cref="Load"/>, also returning the registry name it resolved (the argument, the card's, or the metadata's).</summary>
    public static (HdrNetwork Network, ModelCard? Card, string Architecture) LoadResolved(string weightsPath, string? architecture = null, int? nf = null)
    {
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"{weightsPath}: no such weights file.", weightsPath);
        string cardPath = ModelCard.PathFor(weightsPath);
        ModelCard? card = File.Exists(cardPath) ? ModelCard.Load(cardPath) : null;
        var meta = Checkpoint.IsSafetensors(weightsPath) && (architecture ?? card?.Architecture) is null ? Metadata(weightsPath) : null;
        string arch = architecture ?? card?.Architecture ?? (meta is not null && meta.TryGetValue(ArchitectureKey, out var a) ? a : null)
            ?? throw new InvalidDataException($"{weightsPath}: architecture unknown (no model card, no {ArchitectureKey} metadata); pass it explicitly.");
        int width = nf ?? card?.Width ?? (meta is not null && meta.TryGetValue(WidthKey, out var w) && int.TryParse(w, out var wi) ? wi : ArchRegistry.DefaultWidth);
        if (!ArchRegistry.Contains(arch))
            throw new InvalidDataException($"{weightsPath}: unknown architecture '{arch}'; known: {string.Join(", ", ArchRegistry.Names)}.");
        var network = ArchRegistry.Create(arch, width);
        try
        {
            Checkpoint.Load(network, weightsPath);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        return (network, card, arch);
    }

    private static Dictionary<string, string> Metadata(string safetensorsPath)
    {
        var (tensors, meta) = Safetensors.Read(safetensorsPath);
        foreach (var t in tensors.Values) t.Dispose();
        return meta;
    }

    /// <summary>Saves weights as safetensors (architecture and width in its metadata) and, if given, the card next to them.</summary>
    /// <param name="network">The network.</param>
    /// <param name="architecture">Its registry name.</param>
    /// <param name="weightsPath">Target .safetensors path.</param>
    /// <param name="card">Card to write to <see cref="ModelCard.PathFor"/>; its WeightsFile is set to the file name.</param>
    /// <param name="halfPrecision">Store floating-point tensors as fp16.</param>
    public static void Save(HdrNetwork network, string architecture, string weightsPath, ModelCard? card = null, bool halfPrecision = false)
    {
        if (!ArchRegistry.Contains(architecture)) throw new ArgumentException($"Unknown architecture '{architecture}'.", nameof(architecture));
        if (!Checkpoint.IsSafetensors(weightsPath)) throw new ArgumentException($"{weightsPath}: weights are saved as .safetensors.", nameof(weightsPath));
        Checkpoint.SaveSafetensors(network, weightsPath, halfPrecision, new Dictionary<string, string>
        {
            [ArchitectureKey] = architecture,
            [WidthKey] = network.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        if (card is not null) (card with { WeightsFile = Path.GetFileName(weightsPath) }).Save(ModelCard.PathFor(weightsPath));
    }
}
