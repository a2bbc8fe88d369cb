namespace HdrUp.Color.Tests;

public class IctcpTests
{
    [Fact]
    public void Matches_colour_science_reference()
    {
        // colour-science 0.4, colour.models.rgb.ictcp.RGB_to_ICtCp docstring:
        // RGB = [0.45620519, 0.03081071, 0.04091952] (BT.2020, cd/m²) → [0.0735136…, 0.0047525…, 0.0935159…].
        var c = Ictcp.FromBt2020Linear(0.45620519, 0.03081071, 0.04091952);
        Assert.Equal(0.0735136, c.I, 1e-7);
        Assert.Equal(0.0047525, c.Ct, 1e-7);
        Assert.Equal(0.0935159, c.Cp, 1e-7);
    }

    [Theory]
    // A D65 neutral has L = M = S = Y (BT.2100 Table 6 rows sum to 4096), so I = PQ(Y) and
    // Ct = Cp = 0 (Table 7 rows sum to 0). PQ values as in St2084Tests (BT.2408 Table 1).
    [InlineData(100.0, 0.5081)]
    [InlineData(203.0, 0.5807)]
    [InlineData(1000.0, 0.7518)]
    public void Neutral_has_I_equal_to_PQ_and_no_chroma(double luminance, double expectedI)
    {
        var c = Ictcp.FromBt2020Linear(luminance, luminance, luminance);
        Assert.Equal(expectedI, c.I, 4);
        Assert.Equal(St2084.InverseEotf(luminance), c.I, 1e-12);
        Assert.Equal(0.0, c.Ct, 1e-12);
        Assert.Equal(0.0, c.Cp, 1e-12);
    }

    [Fact]
    public void Pq_input_applies_the_eotf_first()
    {
        // PQ code values of 100, 0.1 and 1000 cd/m² (computed with the ST 2084 constants).
        var pq = Ictcp.FromPqBt2020(0.508078421517399, 0.06233686566269587, 0.751827096247041);
        var lin = Ictcp.FromBt2020Linear(100.0, 0.1, 1000.0);
        Assert.Equal(lin.I, pq.I, 1e-9);
        Assert.Equal(lin.Ct, pq.Ct, 1e-9);
        Assert.Equal(lin.Cp, pq.Cp, 1e-9);
    }

    [Theory]
    [InlineData(100, 100, 100)]
    [InlineData(800, 40, 3)]
    [InlineData(0.05, 0.2, 0.01)]
    [InlineData(2.5, 9000, 120)]
    public void Back_to_linear_is_the_inverse(double r, double g, double b)
    {
        var (r2, g2, b2) = Ictcp.FromBt2020Linear(r, g, b).ToBt2020Linear();
        // PQ in double round-trips to ~1e-12 relative; the published matrices invert exactly.
        Assert.Equal(r, r2, r * 1e-9 + 1e-12);
        Assert.Equal(g, g2, g * 1e-9 + 1e-12);
        Assert.Equal(b, b2, b * 1e-9 + 1e-12);
    }

    [Fact]
    public void A_colour_beyond_BT2020_comes_back_with_a_negative_channel()
    {
        // Pure BT.2020 green with twice its chroma at the same I and hue lies outside the gamut.
        var green = Ictcp.FromBt2020Linear(0, 300, 0);
        var (r, g, b) = new Ictcp(green.I, 2 * green.Ct, 2 * green.Cp).ToBt2020Linear();
        Assert.True(Math.Min(r, b) < 0, $"({r}, {g}, {b})");
        Assert.Equal(2 * green.Chroma, new Ictcp(green.I, 2 * green.Ct, 2 * green.Cp).Chroma, 12);
    }

    [Fact]
    public void Pure_red_has_the_expected_signs()
    {
        // 100 cd/m² BT.2020 red: hand-computed from the BT.2100 matrices
        // (L = 41.21, M = 16.67, S = 2.42 cd/m², then PQ, then Table 7): I = 0.38177, Ct = −0.11236, Cp = 0.37164.
        var c = Ictcp.FromBt2020Linear(100, 0, 0);
        Assert.Equal(0.38177, c.I, 1e-5);
        Assert.Equal(-0.11236, c.Ct, 1e-5);
        Assert.Equal(0.37164, c.Cp, 1e-5);
    }
}

public class DeltaETests
{
    [Fact]
    public void Identical_colours_give_zero() =>
        Assert.Equal(0.0, DeltaE.Itp(new Ictcp(0.5, 0.1, -0.2), new Ictcp(0.5, 0.1, -0.2)), 0.0);

    [Theory]
    // BT.2124: ΔE_ITP = 720·√(ΔI² + ΔT² + ΔP²), T = 0.5·Ct, P = Cp; one unit ≈ one JND.
    [InlineData(1.0 / 720, 0, 0, 1.0)] // ΔI of 1/720 → 1 JND
    [InlineData(0, 2.0 / 720, 0, 1.0)] // Ct is halved: ΔCt of 2/720 → 1 JND
    [InlineData(0, 0, 1.0 / 720, 1.0)] // ΔCp of 1/720 → 1 JND
    [InlineData(3.0 / 720, 0, 4.0 / 720, 5.0)] // 3-4-5 triangle
    public void Scales_each_axis_as_in_BT2124(double dI, double dCt, double dCp, double expected)
    {
        var a = new Ictcp(0.5, 0.01, -0.02);
        var b = new Ictcp(a.I + dI, a.Ct + dCt, a.Cp + dCp);
        Assert.Equal(expected, DeltaE.Itp(a, b), 1e-9);
        Assert.Equal(expected, DeltaE.Itp(b, a), 1e-9);
    }

    [Fact]
    public void Neutral_100_vs_101_nits()
    {
        // A neutral's distance is 720·ΔI = 720·(PQ(101) − PQ(100)) = 0.71927 (hand-computed from
        // the ST 2084 constants): a 1 % step at 100 cd/m² is below one ΔE_ITP JND, which sits near 1.4 %.
        double d = DeltaE.Itp(Ictcp.FromBt2020Linear(100, 100, 100), Ictcp.FromBt2020Linear(101, 101, 101));
        Assert.Equal(0.71927, d, 1e-5);
    }
}
