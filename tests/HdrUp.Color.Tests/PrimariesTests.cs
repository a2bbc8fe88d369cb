namespace HdrUp.Color.Tests;

public class PrimariesTests
{
    [Fact]
    public void Bt709_to_Bt2020_matches_BT2087()
    {
        // ITU-R BT.2087-0 §2, equation for linear BT.709 → BT.2020 RGB, published to 4 decimals.
        double[,] bt2087 =
        {
            { 0.6274, 0.3293, 0.0433 },
            { 0.0691, 0.9195, 0.0114 },
            { 0.0164, 0.0880, 0.8956 },
        };
        var m = ColourSpaces.Bt709ToBt2020;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(bt2087[r, c], m[r, c], 0.00005 + 1e-12);
    }

    [Fact]
    public void Conversion_rows_sum_to_one_and_inverse_round_trips()
    {
        // Same white point: white (1, 1, 1) maps to white, so every row sums to 1.
        foreach (var m in new[] { ColourSpaces.Bt709ToBt2020, ColourSpaces.Bt2020ToBt709, ColourSpaces.DisplayP3.ConversionTo(ColourSpaces.Bt2020) })
            for (int r = 0; r < 3; r++)
                Assert.Equal(1.0, m[r, 0] + m[r, 1] + m[r, 2], 1e-12);
        var id = ColourSpaces.Bt2020ToBt709 * ColourSpaces.Bt709ToBt2020;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(r == c ? 1.0 : 0.0, id[r, c], 1e-12);
    }

    [Fact]
    public void Bt2020_to_Bt709_matches_published_inverse()
    {
        // Inverse of the BT.2087 matrix as widely reprinted to 4 decimals (BT.2407 quotes it; not re-checked
        // against the PDF here, but it is also what inverting the 4-decimal BT.2087 matrix gives).
        var m = ColourSpaces.Bt2020ToBt709;
        Assert.Equal(1.6605, m.M11, 0.00005 + 1e-12);
        Assert.Equal(-0.5876, m.M12, 0.00005 + 1e-12);
        Assert.Equal(-0.0728, m.M13, 0.00005 + 1e-12);
        Assert.Equal(-0.1246, m.M21, 0.00005 + 1e-12);
        Assert.Equal(1.1329, m.M22, 0.00005 + 1e-12);
        Assert.Equal(-0.0083, m.M23, 0.00005 + 1e-12);
        Assert.Equal(-0.0182, m.M31, 0.00005 + 1e-12);
        Assert.Equal(-0.1006, m.M32, 0.00005 + 1e-12);
        Assert.Equal(1.1187, m.M33, 0.00005 + 1e-12);
    }

    [Theory]
    // Luminance coefficients Kr, Kb: BT.709-6 item 3.2 (0.2126, 0.0722) and BT.2020-2 Table 4
    // (0.2627, 0.0593), both published to 4 decimals and both the middle row of RGB→XYZ.
    [InlineData("BT.709", 0.2126, 0.7152, 0.0722)]
    [InlineData("BT.2020", 0.2627, 0.6780, 0.0593)]
    public void Luminance_row_matches_the_standards(string name, double kr, double kg, double kb)
    {
        var p = name == "BT.709" ? ColourSpaces.Bt709 : ColourSpaces.Bt2020;
        var (r, g, b) = p.LuminanceWeights;
        Assert.Equal(kr, r, 0.00005 + 1e-12);
        Assert.Equal(kg, g, 0.00005 + 1e-12);
        Assert.Equal(kb, b, 0.00005 + 1e-12);
    }

    [Fact]
    public void Bt709_rgb_to_xyz_matches_sRGB_standard_matrix()
    {
        // IEC 61966-2-1 (sRGB shares the BT.709 primaries and D65) printed to 4 decimals:
        // [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]].
        double[] expected = [0.4124, 0.3576, 0.1805, 0.2126, 0.7152, 0.0722, 0.0193, 0.1192, 0.9505];
        var m = ColourSpaces.Bt709.RgbToXyz;
        for (int k = 0; k < 9; k++)
            Assert.Equal(expected[k], m[k / 3, k % 3], 0.00005 + 1e-12);
        var (x, y, z) = m.Transform(1, 1, 1);
        Assert.Equal(0.3127 / 0.3290, x, 1e-12); // D65 white, Y = 1
        Assert.Equal(1.0, y, 1e-12);
    }

    [Fact]
    public void Planar_transform_matches_scalar()
    {
        var m = ColourSpaces.Bt2020ToBt709;
        float[] r = new float[19], g = new float[19], b = new float[19];
        for (int i = 0; i < 19; i++) { r[i] = i / 18f; g[i] = 1 - i / 18f; b[i] = (i % 5) / 4f; }
        var (r0, g0, b0) = ((float[])r.Clone(), (float[])g.Clone(), (float[])b.Clone());
        m.TransformPlanes(r, g, b);
        for (int i = 0; i < 19; i++)
        {
            var e = m.Transform(r0[i], g0[i], b0[i]);
            Assert.Equal(e.X, r[i], 1e-6);
            Assert.Equal(e.Y, g[i], 1e-6);
            Assert.Equal(e.Z, b[i], 1e-6);
        }
    }
}
