using HdrUp.Models.Precision;

namespace HdrUp.Models.Tests;

public class PrecisionTests
{
    // The first processor block of /proc/cpuinfo on an AMD EPYC (Zen 4) and on an older Xeon, trimmed to the fields read.
    private const string Epyc = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n" +
                                "flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n";
    private const string Broadwell = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4\nflags\t\t: fpu sse2 avx2 fma\n";
    private const string SapphireRapids = "model name\t: Intel(R) Xeon(R) Platinum 8480\nflags\t\t: avx2 avx512f avx512_bf16 amx_bf16 amx_int8 avx_vnni avx512_vnni\n";

    [Fact]
    public void Reads_model_and_units_of_the_first_processor()
    {
        var cpu = CpuFeatures.Parse(Epyc);
        Assert.Equal("AMD EPYC", cpu.ModelName);
        Assert.True(cpu.HasAvx512Bf16 && cpu.HasVnni && cpu.HasBf16);
        Assert.False(cpu.HasAmxBf16 || cpu.HasAmxInt8);
        Assert.Equal("AMD EPYC: avx512_bf16, avx512_vnni, avx512f, avx2", cpu.Describe());
        Assert.True(CpuFeatures.Parse(SapphireRapids).HasAmxBf16);
        Assert.Equal("unknown CPU: no AVX2/AVX-512/AMX units", CpuFeatures.Parse("").Describe());
    }

    // ONNX Runtime's u8×s8 kernels add product pairs in 16 bits with saturation on x86 without VNNI (vpmaddubsw), so
    // the int8 weights there are 7-bit (2 × 255 × 63 = 32,130 ≤ 32,767); VNNI and AMX accumulate in 32 bits.
    [Fact]
    public void Int8_weights_are_7_bit_on_x86_without_vnni()
    {
        Assert.True(CpuFeatures.Parse(Broadwell).Int8PairsSaturate);
        Assert.False(CpuFeatures.Parse(Epyc).Int8PairsSaturate);
        Assert.False(CpuFeatures.Parse(SapphireRapids).Int8PairsSaturate);
        Assert.False(CpuFeatures.Parse("").Int8PairsSaturate);   // no AVX2 kernel: MLAS widens to 16 bits before adding
        Assert.Equal(63, HdrUp.Models.Onnx.OnnxInt8.WeightLimitFor(CpuFeatures.Parse(Broadwell)));
        Assert.Equal(127, HdrUp.Models.Onnx.OnnxInt8.WeightLimitFor(CpuFeatures.Parse(Epyc)));
        Assert.True(2 * 255 * 63 <= short.MaxValue && 2 * 255 * 127 > short.MaxValue);
    }

    [Fact]
    public void Auto_is_bf16_only_where_the_cpu_has_bf16_units()
    {
        Assert.Equal(NumericPrecision.Bf16, NumericPrecision.Auto.Resolve(CpuFeatures.Parse(Epyc)));
        Assert.Equal(NumericPrecision.Bf16, NumericPrecision.Auto.Resolve(CpuFeatures.Parse(SapphireRapids)));
        Assert.Equal(NumericPrecision.Fp32, NumericPrecision.Auto.Resolve(CpuFeatures.Parse(Broadwell)));
        Assert.Equal(NumericPrecision.Fp32, NumericPrecision.Fp32.Resolve(CpuFeatures.Parse(Epyc)));
        Assert.Equal(NumericPrecision.Bf16, NumericPrecision.Bf16.Resolve(CpuFeatures.Parse(Broadwell)));
    }

    [Theory]
    [InlineData("auto", NumericPrecision.Auto)]
    [InlineData("FP32", NumericPrecision.Fp32)]
    [InlineData("bf16", NumericPrecision.Bf16)]
    [InlineData("Int8", NumericPrecision.Int8)]
    public void Parses_names(string text, NumericPrecision expected) => Assert.Equal(expected, NumericPrecisions.Parse(text));

    [Theory]
    [InlineData("fp16")]
    [InlineData("1")]
    [InlineData("")]
    public void Rejects_other_names(string text) =>
        Assert.Contains("not one of auto, fp32, bf16, int8", Assert.Throws<ArgumentException>(() => NumericPrecisions.Parse(text)).Message);
}
