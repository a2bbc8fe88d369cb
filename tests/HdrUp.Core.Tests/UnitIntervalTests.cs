namespace HdrUp.Core.Tests;

public class UnitIntervalTests
{
    // Codes by hand: v × 65535 rounded half to even; 0.5 × 65535 = 32767.5 → 32768 (even); 1.5/65535 → 2 (even), 2.5/65535 → 2.
    [Theory]
    [InlineData(0f, 0)]
    [InlineData(1f, 65535)]
    [InlineData(0.5f, 32768)]
    [InlineData(-0.25f, 0)]
    [InlineData(7f, 65535)]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 65535)]
    [InlineData(1.5f / 65535f, 2)]
    [InlineData(2.5f / 65535f, 2)]
    public void ToCode16_clamps_and_rounds_half_to_even(float value, int code) =>
        Assert.Equal(code, UnitInterval.ToCode16(value));

    [Fact]
    public void Clamp_and_round_leave_values_a_16_bit_file_would_hold()
    {
        float[] values = [-1f, float.NaN, 0.25f, 0.3f, 2f];
        UnitInterval.Clamp(values);
        Assert.Equal([0f, 0f, 0.25f, 0.3f, 1f], values);
        UnitInterval.RoundToCode16(values);
        Assert.Equal(MathF.Round(0.3f * 65535f) / 65535f, values[3]);
        float[] again = (float[])values.Clone();
        UnitInterval.RoundToCode16(again);
        Assert.Equal(values, again);   // codes are a fixed point: caching a cached frame changes nothing
    }
}
