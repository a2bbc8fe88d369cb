namespace HdrUp.Color.Tests;

public class St2084Tests
{
    [Theory]
    // ST 2084 inverse EOTF, published to 4 decimals (ITU-R BT.2408 Table 1 / BT.2390 §5):
    // 100 cd/m² → 0.5081, 203 cd/m² (HDR reference white) → 0.5807, 1000 cd/m² → 0.7518.
    [InlineData(100.0, 0.5081)]
    [InlineData(203.0, 0.5807)]
    [InlineData(1000.0, 0.7518)]
    [InlineData(10000.0, 1.0)] // peak maps to code value 1 by construction of the curve
    public void InverseEotf_matches_published_4_decimals(double luminance, double expected) =>
        Assert.Equal(expected, St2084.InverseEotf(luminance), 4);

    [Theory]
    // colour-science 0.4 doctest eotf_inverse_ST2084(100) = 0.508078421517399 (more digits of 0.5081).
    [InlineData(100.0, 0.508078421517399)]
    // c1^m2 = (3424/4096)^78.84375: the specified curve's value at zero light.
    [InlineData(0.0, 7.309559025783966e-07)]
    public void InverseEotf_matches_full_precision_values(double luminance, double expected) =>
        Assert.Equal(expected, St2084.InverseEotf(luminance), 1e-12);

    [Fact]
    public void Eotf_of_ends_is_zero_and_peak()
    {
        Assert.Equal(0.0, St2084.Eotf(0.0), 0.0);
        Assert.Equal(10000.0, St2084.Eotf(1.0), 1e-9);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.1)]
    [InlineData(48.0)]
    [InlineData(203.0)]
    [InlineData(4000.0)]
    [InlineData(9999.0)]
    public void Luminance_round_trips_to_1e6_relative(double luminance) =>
        Assert.Equal(luminance, St2084.Eotf(St2084.InverseEotf(luminance)), luminance * 1e-6);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5807)]
    [InlineData(1.0)]
    public void Code_value_round_trips_to_1e6(double code)
    {
        // Below c1^m2 ≈ 7.3e-7 the EOTF is flat at 0, so code 0 returns c1^m2, inside 1e-6.
        Assert.Equal(code, St2084.InverseEotf(St2084.Eotf(code)), 1e-6);
    }

    [Fact]
    public void Out_of_range_inputs_are_clamped_and_nan_propagates()
    {
        Assert.Equal(0.0, St2084.Eotf(-0.5), 0.0);
        Assert.Equal(10000.0, St2084.Eotf(1.5), 1e-9);
        Assert.Equal(St2084.InverseEotf(0.0), St2084.InverseEotf(-20.0), 0.0);
        Assert.Equal(1.0, St2084.InverseEotf(20000.0), 1e-12);
        Assert.True(double.IsNaN(St2084.Eotf(double.NaN)));
        Assert.True(double.IsNaN(St2084.InverseEotf(double.NaN)));
    }

    [Fact]
    public void Span_versions_agree_with_scalar_within_float_precision()
    {
        // 37 values: several full SIMD vectors plus a scalar tail on any vector width.
        var code = new float[37];
        for (int i = 0; i < code.Length; i++) code[i] = i / 36f;
        code[5] = -0.1f;
        code[6] = float.NaN;
        code[7] = 1.2f;
        var lum = new float[code.Length];
        St2084.Eotf(code, lum);
        for (int i = 0; i < code.Length; i++)
        {
            double expected = St2084.Eotf(code[i]);
            if (double.IsNaN(expected)) { Assert.True(float.IsNaN(lum[i])); continue; }
            // The SIMD path runs in double and stores float, so only float rounding (~6e-8 relative) remains.
            Assert.True(Math.Abs(lum[i] - expected) <= 1e-6 * expected + 1e-6, $"EOTF[{i}] {lum[i]} vs {expected}");
        }

        var back = new float[code.Length];
        St2084.InverseEotf(lum, back);
        for (int i = 0; i < code.Length; i++)
        {
            double expected = St2084.InverseEotf(lum[i]);
            if (double.IsNaN(expected)) { Assert.True(float.IsNaN(back[i])); continue; }
            Assert.Equal(expected, back[i], 1e-6);
        }
    }

    [Fact]
    public void Span_inverse_hits_published_values_in_place()
    {
        float[] v = [100f, 203f, 1000f, 0f, -5f, float.NaN, 100f, 203f, 1000f];
        St2084.InverseEotf(v, v);
        Assert.Equal(0.5081, v[0], 4);
        Assert.Equal(0.5807, v[1], 4);
        Assert.Equal(0.7518, v[2], 4);
        Assert.Equal(7.31e-7, v[3], 1e-8);
        Assert.Equal(7.31e-7, v[4], 1e-8);
        Assert.True(float.IsNaN(v[5]));
        Assert.Equal(0.7518, v[8], 4);
    }
}
