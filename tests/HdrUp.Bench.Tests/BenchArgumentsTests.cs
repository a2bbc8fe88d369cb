using HdrUp.Models.Precision;

namespace HdrUp.Bench.Tests;

public class BenchArgumentsTests
{
    // bench quality --weights NAME=FILE@PRECISION: the suffix names the precision; an '@' in a folder name does not.
    [Theory]
    [InlineData("models/kpnet-qp{qp}.safetensors@int8", "models/kpnet-qp{qp}.safetensors", NumericPrecision.Int8)]
    [InlineData("m.safetensors@BF16", "m.safetensors", NumericPrecision.Bf16)]
    [InlineData("m.safetensors", "m.safetensors", NumericPrecision.Fp32)]
    [InlineData("runs/a@2/m.safetensors", "runs/a@2/m.safetensors", NumericPrecision.Fp32)]
    public void Weights_take_an_optional_precision_suffix(string spec, string file, NumericPrecision precision) =>
        Assert.Equal((file, precision), BenchArguments.WithPrecision(spec));

    [Theory]
    [InlineData("m.safetensors@auto", "not auto")]
    [InlineData("m.safetensors@fp16", "not one of auto, fp32, bf16, int8")]
    public void A_suffix_that_is_no_precision_to_score_is_refused(string spec, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => BenchArguments.WithPrecision(spec)).Message);
}
