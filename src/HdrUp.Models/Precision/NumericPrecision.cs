using System.Text.Json.Serialization;

namespace HdrUp.Models.Precision;

/// <summary>The arithmetic a network's convolutions run in.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NumericPrecision>))]
public enum NumericPrecision
{
    /// <summary>bfloat16 where the CPU has it in hardware (<see cref="CpuFeatures.HasBf16"/>), fp32 otherwise.</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,
    /// <summary>IEEE single precision throughout.</summary>
    [JsonStringEnumMemberName("fp32")]
    Fp32,
    /// <summary>bfloat16 compute (8-bit mantissa, fp32's exponent range, so no loss scaling is needed).</summary>
    [JsonStringEnumMemberName("bf16")]
    Bf16,
    /// <summary>int8 inference: the QDQ graph of <see cref="Onnx.OnnxInt8"/> on ONNX Runtime (int8 weights, uint8 activations
    /// calibrated on real frames). Inference only, KPNet family only.</summary>
    [JsonStringEnumMemberName("int8")]
    Int8,
}

public static class NumericPrecisions
{
    /// <summary>Resolves <see cref="NumericPrecision.Auto"/> for <paramref name="cpu"/> (default: this machine) by the units
    /// present: training's rule. Inference in <c>convert</c> resolves auto by measurement instead (PrecisionChoice).</summary>
    public static NumericPrecision Resolve(this NumericPrecision precision, CpuFeatures? cpu = null) => precision switch
    {
        NumericPrecision.Auto => (cpu ?? CpuFeatures.Current).HasBf16 ? NumericPrecision.Bf16 : NumericPrecision.Fp32,
        _ => precision,
    };

    /// <summary>Lower-case name as written in options and reports: auto, fp32, bf16, int8.</summary>
    public static string Name(this NumericPrecision precision) => precision.ToString().ToLowerInvariant();

    /// <summary>Parses auto|fp32|bf16|int8 (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other text.</exception>
    public static NumericPrecision Parse(string text) =>
        Enum.TryParse<NumericPrecision>(text, ignoreCase: true, out var p) && Enum.IsDefined(p) && !int.TryParse(text, out _)
            ? p
            : throw new ArgumentException($"precision '{text}' is not one of auto, fp32, bf16, int8.");
}
