using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace HdrUp.Models.Checkpoints;

/// <summary>
/// Weight interchange with PyTorch: strict loading of PyTorch <c>.pth</c> state dicts (zip format written by
/// <c>torch.save(model.state_dict())</c>) and of safetensors files; saving as safetensors (optionally fp16).
/// </summary>
public static class Checkpoint
{
    private const string DataParallelPrefix = "module.";

    /// <summary>
    /// Reads a state dict from <paramref name="path"/>: safetensors (by extension <c>.safetensors</c>) or a
    /// PyTorch zip checkpoint (anything else). A leading <c>module.</c> (DataParallel) is stripped from
    /// every key. The caller owns the returned tensors.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Unreadable file (message names the file).</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint file.", path);
        Dictionary<string, Tensor> raw;
        if (IsSafetensors(path))
        {
            raw = Safetensors.Read(path).Tensors;
        }
        else
        {
            Hashtable table;
            try
            {
                using var stream = File.OpenRead(path);
                table = PyTorchUnpickler.UnpickleStateDict(stream);
            }
            catch (Exception e) when (e is not FileNotFoundException)
            {
                throw new InvalidDataException($"{path}: not a readable PyTorch state-dict checkpoint ({e.GetType().Name}: {e.Message}).", e);
            }
            raw = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry e in table)
                if (e.Value is Tensor t) raw[(string)e.Key] = t;
        }
        var result = new Dictionary<string, Tensor>(raw.Count);
        foreach (var (key, tensor) in raw)
        {
            string name = key.StartsWith(DataParallelPrefix, StringComparison.Ordinal) ? key[DataParallelPrefix.Length..] : key;
            if (!result.TryAdd(name, tensor))
                throw new InvalidDataException($"{path}: key '{name}' occurs twice (with and without the 'module.' prefix).");
        }
        return result;
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/> STRICTLY: every key of the module's state dict
    /// must be present with the same shape, and no other key may exist. Values are converted to the module's
    /// dtype (fp16 files load as fp32). Nothing is modified if the check fails.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing, unexpected or mis-shaped key; the message names the file
    /// and the key (and expected vs actual shape).</exception>
    public static void Load(nn.Module module, string path)
    {
        var loaded = ReadStateDict(path);
        try { Apply(module, loaded, path); }
        finally { foreach (var t in loaded.Values) t.Dispose(); }
    }

    /// <summary>Strictly copies <paramref name="stateDict"/> into <paramref name="module"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Missing, unexpected or mis-shaped key.</exception>
    public static void Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{source}: missing key '{missing[0]}' (expected shape {Shape(own[missing[0]])})" +
                (missing.Count > 1 ? $" and {missing.Count - 1} more: {string.Join(", ", missing.Skip(1).Take(5))}" : "") + ".");
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{source}: unexpected key '{unexpected[0]}' (shape {Shape(stateDict[unexpected[0]])})" +
                (unexpected.Count > 1 ? $" and {unexpected.Count - 1} more: {string.Join(", ", unexpected.Skip(1).Take(5))}" : "") + ".");
        foreach (var (key, target) in own)
        {
            var value = stateDict[key];
            if (!SameShape(target, value))
                throw new InvalidDataException($"{source}: key '{key}' has shape {Shape(value)}, expected {Shape(target)}.");
            if (!value.is_floating_point() && target.is_floating_point() || value.is_floating_point() && !target.is_floating_point())
                throw new InvalidDataException($"{source}: key '{key}' has dtype {value.dtype}, expected {target.dtype}.");
        }
        using (torch.no_grad())
        {
            foreach (var (key, target) in own)
            {
                using var scope = torch.NewDisposeScope();
                target.copy_(stateDict[key].reshape(target.shape).to(target.dtype, target.device));
            }
        }
    }

    /// <summary>
    /// Saves the module's state dict (parameters and buffers, in state-dict order) as safetensors. With
    /// <paramref name="halfPrecision"/> floating-point tensors are stored as F16 (about half the size; loads back
    /// as fp32 with a relative rounding of ≤ 2⁻¹¹).
    /// </summary>
    public static void SaveSafetensors(nn.Module module, string path, bool halfPrecision = false,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        Safetensors.Write(path, module.state_dict(), halfPrecision, meta);
    }

    /// <summary>True for a path ending in <c>.safetensors</c>.</summary>
    public static bool IsSafetensors(string path) => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    // TorchSharp.PyBridge rebuilds 0-dim tensors (num_batches_tracked) with shape [1]; accept that.
    private static bool SameShape(Tensor target, Tensor value) =>
        target.shape.SequenceEqual(value.shape) || (target.numel() == 1 && value.numel() == 1 && target.dim() <= 1 && value.dim() <= 1);

    private static string Shape(Tensor t) => "[" + string.Join("×", t.shape) + "]";
}
