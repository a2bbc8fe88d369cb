using System.Security.Cryptography;
using System.Text;
using HdrUp.Core;
using HdrUp.Models.Precision;
using static TorchSharp.torch;

namespace HdrUp.Models.Onnx;

/// <summary>
/// The graphs <see cref="OnnxExport"/> writes, made once per network and weights and kept in a folder, so that loading
/// a model for ONNX Runtime reads its graph instead of exporting it again. A graph is filed under <see cref="Key"/>,
/// which changes with the weights, the network's structure and the exporter's version. Files are written under a
/// temporary name and renamed, end with a digest of their key and content that is checked on every read, and a graph
/// that is missing, truncated, corrupted or another key's is exported again and replaces it. A folder that cannot be
/// read or written costs the export, never the run. Nothing is evicted: the folder can be deleted at any time.
/// </summary>
public sealed class OnnxGraphCache
{
    /// <summary>Environment variable naming HdrUp's cache folder; graphs go in its <c>onnx</c> subfolder.</summary>
    public const string EnvironmentVariable = "HDRUP_CACHE";

    private const string DigestKey = "hdrup.graph_sha256";

    /// <summary>A cache in <paramref name="directory"/> (created when the first graph is written).</summary>
    public OnnxGraphCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The folder holding the graphs, one <c>KEY.onnx</c> file each.</summary>
    public string Directory { get; }

    /// <summary>This user's cache: <c>$HDRUP_CACHE/onnx</c>, else <c>$XDG_CACHE_HOME/hdrup/onnx</c>, else
    /// <c>~/.cache/hdrup/onnx</c>; null where none of them is known (no home directory).</summary>
    public static OnnxGraphCache? Default { get; } =
        DefaultDirectory(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) is { } directory
            ? new OnnxGraphCache(directory)
            : null;

    internal static string? DefaultDirectory(Func<string, string?> environment, string? home)
    {
        if (environment(EnvironmentVariable) is { Length: > 0 } root) return Path.Combine(root, "onnx");
        // The XDG base directory specification says a relative path there is invalid and to be ignored.
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "hdrup", "onnx");
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "hdrup", "onnx");
    }

    /// <summary>The file a graph with key <paramref name="key"/> is kept in.</summary>
    public string PathFor(string key) => Path.Combine(Directory, $"{key}.onnx");

    /// <summary>
    /// The graph of <paramref name="network"/> with its current weights: read from the cache, or exported and stored.
    /// </summary>
    /// <param name="network">A network <see cref="OnnxExport.CanExport"/> accepts.</param>
    /// <param name="refresh">Export and store even if a graph is cached (one ONNX Runtime refused).</param>
    /// <returns>The serialised model (the same bytes <see cref="OnnxExport.Export"/> gives) and whether it was read from the cache.</returns>
    /// <exception cref="NotSupportedException">The network has no ONNX export.</exception>
    public (byte[] Model, bool Cached) Get(HdrNetwork network, bool refresh = false) =>
        GetOrMake(Key(network), () => OnnxExport.Export(network), refresh);

    /// <summary>
    /// The int8 graph of <paramref name="network"/> with its current weights calibrated on <paramref name="calibration"/>
    /// (<see cref="OnnxInt8"/>): read from the cache, or quantised and stored, so the calibration runs once per weights,
    /// calibration frames and quantiser version.
    /// </summary>
    /// <param name="threads">ONNX Runtime threads for the calibration runs (0 = one per core).</param>
    /// <param name="refresh">Quantise and store even if a graph is cached (one ONNX Runtime refused).</param>
    public (byte[] Model, bool Cached) GetInt8(HdrNetwork network, CalibrationSet calibration, int threads = 0, bool refresh = false)
    {
        int limit = OnnxInt8.WeightLimitFor(CpuFeatures.Current);
        return GetOrMake(Int8Key(network, calibration, OnnxInt8.Version, limit), () => OnnxInt8.Quantize(network, calibration, threads, limit), refresh);
    }

    private (byte[] Model, bool Cached) GetOrMake(string key, Func<byte[]> make, bool refresh)
    {
        if (!refresh && Read(key) is { } cached) return (cached, true);
        byte[] model = make();
        try
        {
            AtomicFile.Write(PathFor(key), (Stream file) =>
            {
                file.Write(model);
                file.Write(Digest(key, model));
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk: this run uses the graph from memory, the next one makes it again.
        }
        return (model, false);
    }

    /// <summary>
    /// Key of the int8 graph on this machine: SHA-256 of the fp32 graph's <see cref="Key(HdrNetwork)"/>, the quantiser's
    /// version, the calibration frames' <see cref="CalibrationSet.Identity"/> and the weights' limit for this CPU
    /// (<see cref="OnnxInt8.WeightLimitFor"/>), so a cache shared by machines with and without VNNI keeps both graphs.
    /// </summary>
    public static string Int8Key(HdrNetwork network, CalibrationSet calibration) =>
        Int8Key(network, calibration, OnnxInt8.Version, OnnxInt8.WeightLimitFor(CpuFeatures.Current));

    internal static string Int8Key(HdrNetwork network, CalibrationSet calibration, int quantiserVersion, int weightLimit)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        string text = $"int8 quantiser {quantiserVersion}\nfp32 graph {Key(network)}\ncalibration {calibration.Identity}\nweights ±{weightLimit}\n";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of what the exported graph is made from: the exporter's version, the ONNX IR version and
    /// opset, the network's type, size multiple, width and module tree, and its state dict (names, types, shapes and
    /// values). Hashing the weights the network holds rather than the file it was loaded from keeps the key right for
    /// weights changed in memory (training, blending) and for a loader that maps a file differently after a change.
    /// </summary>
    public static string Key(HdrNetwork network) => Key(network, OnnxExport.Version);

    internal static string Key(HdrNetwork network, int exporterVersion)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Line(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Line($"exporter {exporterVersion}, IR {OnnxGraph.IrVersion}, opset {OnnxGraph.Opset}");
        Line($"{network.GetType().FullName}, size multiple {network.SizeMultiple}, width {network.Width}");
        foreach (var (name, module) in network.named_modules()) Line($"{name}: {module.GetType().Name}");
        foreach (var (name, tensor) in network.state_dict())
        {
            Line($"{name}: {tensor.dtype} [{string.Join(", ", tensor.shape)}]");
            hash.AppendData(tensor.detach().cpu().contiguous().bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // A cached file is the graph followed by one more metadata entry holding SHA-256(key, graph): the file stays a model
    // any ONNX tool opens, and one that was cut short, corrupted or filed under another key fails the comparison.
    private byte[]? Read(string key)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(PathFor(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        int length = file.Length - Digest(key, []).Length;   // the entry's length does not depend on the digest
        if (length <= 0) return null;
        byte[] model = file[..length];
        return file.AsSpan(length).SequenceEqual(Digest(key, model)) ? model : null;
    }

    internal static byte[] Digest(string key, ReadOnlySpan<byte> model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(key));
        hash.AppendData(model);
        return OnnxGraph.MetadataEntry(DigestKey, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
