namespace HdrUp.Color.Tests;

public class YCbCrTests
{
    [Theory]
    // SMPTE RP 219-1 75 % colour bars, BT.709, 10-bit narrow range (Y′, Cb, Cr):
    [InlineData(0.75, 0.75, 0.75, 721, 512, 512)] // 75 % white
    [InlineData(0.75, 0.75, 0.00, 674, 176, 543)] // yellow
    [InlineData(0.00, 0.75, 0.75, 581, 589, 176)] // cyan
    [InlineData(0.00, 0.75, 0.00, 534, 253, 207)] // green
    [InlineData(0.75, 0.00, 0.75, 251, 771, 817)] // magenta
    [InlineData(0.75, 0.00, 0.00, 204, 435, 848)] // red
    [InlineData(0.00, 0.00, 0.75, 111, 848, 481)] // blue
    [InlineData(1.00, 1.00, 1.00, 940, 512, 512)] // 100 % white: BT.709 item 4.6, 10-bit
    [InlineData(0.00, 0.00, 0.00, 64, 512, 512)] // black
    public void Bt709_10bit_bars(double r, double g, double b, int y, int cb, int cr) =>
        Assert.Equal((y, cb, cr), Quantize(r, g, b, LumaCoefficients.Bt709, 10, YCbCrRange.Limited));

    [Theory]
    // 8-bit: BT.709 item 4.6 white 235 / black 16 / chroma 128; 75 % yellow of the EBU/SMPTE 8-bit bars.
    [InlineData(1.00, 1.00, 1.00, 235, 128, 128)]
    [InlineData(0.00, 0.00, 0.00, 16, 128, 128)]
    [InlineData(0.75, 0.75, 0.00, 168, 44, 136)]
    [InlineData(0.00, 0.00, 0.75, 28, 212, 120)]
    public void Bt709_8bit(double r, double g, double b, int y, int cb, int cr) =>
        Assert.Equal((y, cb, cr), Quantize(r, g, b, LumaCoefficients.Bt709, 8, YCbCrRange.Limited));

    [Theory]
    // ITU-R BT.2111 75 % colour bars (HLG, BT.2020 NCL, 10-bit narrow); they also follow by hand
    // from BT.2020 Table 4 (Kr 0.2627, Kb 0.0593) and Table 5 quantisation.
    [InlineData(0.75, 0.75, 0.00, 682, 176, 539)] // yellow
    [InlineData(0.00, 0.75, 0.75, 548, 606, 176)] // cyan
    [InlineData(0.00, 0.75, 0.00, 509, 270, 203)] // green
    [InlineData(0.75, 0.00, 0.75, 276, 754, 821)] // magenta
    [InlineData(0.75, 0.00, 0.00, 237, 418, 848)] // red
    [InlineData(0.00, 0.00, 0.75, 103, 848, 485)] // blue
    // 100 % red: Cr reaches the BT.2020 Table 5 chroma ceiling 960 exactly; white is 940/512/512.
    [InlineData(1.00, 0.00, 0.00, 294, 387, 960)]
    [InlineData(1.00, 1.00, 1.00, 940, 512, 512)]
    public void Bt2020_10bit_narrow(double r, double g, double b, int y, int cb, int cr) =>
        Assert.Equal((y, cb, cr), Quantize(r, g, b, LumaCoefficients.Bt2020, 10, YCbCrRange.Limited));

    [Theory]
    // Limited range scales by 2^(n−8): 16-bit white 235·256 = 60160, black 4096, chroma 32768.
    [InlineData(16, YCbCrRange.Limited, 60160, 4096, 32768)]
    // BT.2100 Table 9 full range: white 2ⁿ−1, black 0, chroma 2ⁿ⁻¹.
    [InlineData(10, YCbCrRange.Full, 1023, 0, 512)]
    [InlineData(8, YCbCrRange.Full, 255, 0, 128)]
    [InlineData(16, YCbCrRange.Full, 65535, 0, 32768)]
    public void White_black_and_chroma_zero(int bits, YCbCrRange range, int white, int black, int zeroChroma)
    {
        Assert.Equal((white, zeroChroma, zeroChroma), Quantize(1, 1, 1, LumaCoefficients.Bt709, bits, range));
        Assert.Equal((black, zeroChroma, zeroChroma), Quantize(0, 0, 0, LumaCoefficients.Bt709, bits, range));
    }

    [Fact]
    public void Clips_to_the_valid_codes_and_maps_nan_to_the_lowest()
    {
        // BT.2100 / BT.2020: 10-bit codes 0..3 and 1020..1023 are reserved for timing references.
        Assert.Equal((1019, 1019, 4), YCbCr.Quantize(1.5, 0.7, -0.7, 10, YCbCrRange.Limited));
        Assert.Equal((4, 4, 4), YCbCr.Quantize(double.NaN, double.NaN, -9, 10, YCbCrRange.Limited));
        Assert.Equal((254, 1, 1), YCbCr.Quantize(2, -2, -2, 8, YCbCrRange.Limited));
        Assert.Equal((0, 0, 1023), YCbCr.Quantize(-1, -1, 1, 10, YCbCrRange.Full));
        Assert.Throws<ArgumentOutOfRangeException>(() => YCbCr.Quantize(0, 0, 0, 7, YCbCrRange.Full));
    }

    [Theory]
    [InlineData(0.2, 0.5, 0.9)]
    [InlineData(1.0, 0.0, 0.0)]
    [InlineData(0.05, 0.95, 0.4)]
    public void Analogue_round_trip_is_exact(double r, double g, double b)
    {
        foreach (var k in new[] { LumaCoefficients.Bt709, LumaCoefficients.Bt2020 })
        {
            var (y, cb, cr) = YCbCr.FromRgb(r, g, b, k);
            var back = YCbCr.ToRgb(y, cb, cr, k);
            Assert.Equal(r, back.R, 1e-12);
            Assert.Equal(g, back.G, 1e-12);
            Assert.Equal(b, back.B, 1e-12);
        }
    }

    [Theory]
    // Quantise-dequantise error is at most half a code: 0.5 / (219·2^(n−8)) for Y′.
    [InlineData(8, YCbCrRange.Limited, 0.5 / 219)]
    [InlineData(10, YCbCrRange.Limited, 0.5 / 876)]
    [InlineData(10, YCbCrRange.Full, 0.5 / 1023)]
    [InlineData(16, YCbCrRange.Limited, 0.5 / 56064)]
    public void Digital_round_trip_within_half_a_code(int bits, YCbCrRange range, double halfCode)
    {
        for (double v = 0; v <= 1.0; v += 0.0371)
        {
            var (y, cb, cr) = YCbCr.FromRgb(v, 1 - v, v * v, LumaCoefficients.Bt2020);
            var codes = YCbCr.Quantize(y, cb, cr, bits, range);
            var back = YCbCr.Dequantize(codes.Y, codes.Cb, codes.Cr, bits, range);
            Assert.Equal(y, back.Y, halfCode + 1e-12);
            Assert.Equal(cb, back.Cb, halfCode + 1e-12);
            Assert.Equal(cr, back.Cr, halfCode + 1e-12);
        }
    }

    [Fact]
    public void Planar_matches_scalar()
    {
        float[] r = new float[21], g = new float[21], b = new float[21];
        for (int i = 0; i < 21; i++) { r[i] = i / 20f; g[i] = (i * 7 % 21) / 20f; b[i] = 1 - i / 20f; }
        float[] y = new float[21], cb = new float[21], cr = new float[21];
        YCbCr.FromRgb(r, g, b, y, cb, cr, LumaCoefficients.Bt709);
        for (int i = 0; i < 21; i++)
        {
            var e = YCbCr.FromRgb(r[i], g[i], b[i], LumaCoefficients.Bt709);
            Assert.Equal(e.Y, y[i], 1e-6);
            Assert.Equal(e.Cb, cb[i], 1e-6);
            Assert.Equal(e.Cr, cr[i], 1e-6);
        }
    }

    private static (int, int, int) Quantize(double r, double g, double b, LumaCoefficients k, int bits, YCbCrRange range)
    {
        var (y, cb, cr) = YCbCr.FromRgb(r, g, b, k);
        return YCbCr.Quantize(y, cb, cr, bits, range);
    }
}
