namespace HdrUp.Models.Precision;

/// <summary>
/// The low-precision units of the CPU this process runs on, read once from <c>/proc/cpuinfo</c> (Linux; elsewhere
/// every unit reads as absent). libtorch's oneDNN convolutions use AVX512-BF16 or AMX-BF16 for bfloat16 and VNNI or
/// AMX-INT8 for int8; without them those dtypes run through slow emulation, so the precision choice depends on them.
/// </summary>
public sealed record CpuFeatures(string ModelName, IReadOnlySet<string> Flags)
{
    private static readonly Lazy<CpuFeatures> current = new(Read);

    /// <summary>The CPU of this machine.</summary>
    public static CpuFeatures Current => current.Value;

    public bool HasAmxBf16 => Flags.Contains("amx_bf16");
    public bool HasAvx512Bf16 => Flags.Contains("avx512_bf16");
    public bool HasAmxInt8 => Flags.Contains("amx_int8");
    public bool HasVnni => Flags.Contains("avx512_vnni") || Flags.Contains("avx_vnni");

    /// <summary>
    /// Whether ONNX Runtime's int8 convolutions on this CPU can saturate: x86 kernels without VNNI (AVX2, AVX-512 without
    /// VNNI) multiply uint8 activations by int8 weights with vpmaddubsw, which adds each pair of products into a signed
    /// 16-bit lane with saturation, and 2 × 255 × 127 = 64,770 does not fit in 32,767. VNNI and AMX accumulate in 32 bits.
    /// </summary>
    public bool Int8PairsSaturate => (Flags.Contains("avx2") || Flags.Contains("avx512bw")) && !HasVnni && !HasAmxInt8;

    /// <summary>bfloat16 arithmetic in hardware (AMX or AVX512-BF16): the condition for bf16 to beat fp32.</summary>
    public bool HasBf16 => HasAmxBf16 || HasAvx512Bf16;

    /// <summary>The matrix and dot-product units present, for reports: e.g. "AMD EPYC: avx512_bf16, avx512_vnni".</summary>
    public string Describe()
    {
        string[] units = ["amx_bf16", "amx_int8", "avx512_bf16", "avx512_vnni", "avx_vnni", "avx512f", "avx2"];
        var present = units.Where(Flags.Contains).ToList();
        return $"{ModelName}: {(present.Count == 0 ? "no AVX2/AVX-512/AMX units" : string.Join(", ", present))}";
    }

    /// <summary>Parses the text of <c>/proc/cpuinfo</c> (first processor's "model name" and "flags").</summary>
    public static CpuFeatures Parse(string cpuinfo)
    {
        string model = "unknown CPU";
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in cpuinfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name" && model == "unknown CPU") model = value;
            else if (key == "flags" && flags.Count == 0) flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        return new CpuFeatures(model, flags);
    }

    private static CpuFeatures Read()
    {
        try { return Parse(File.ReadAllText("/proc/cpuinfo")); }
        catch (IOException) { return new CpuFeatures("unknown CPU", new HashSet<string>()); }
        catch (UnauthorizedAccessException) { return new CpuFeatures("unknown CPU", new HashSet<string>()); }
    }
}
