using System.Text;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

// Radiance files are built here byte by byte (header, then flat or run-length scanlines).
public class RadianceHdrTests
{
    private static byte[] Header(int w, int h, string format = "32-bit_rle_rgbe", string resolution = "") =>
        Encoding.ASCII.GetBytes($"#?RADIANCE\n# test\nFORMAT={format}\n\n{(resolution.Length > 0 ? resolution : $"-Y {h} +X {w}")}\n");

    /// <summary>A file whose every pixel is the same flat (uncompressed) RGBE quadruple.</summary>
    public static byte[] Flat(int w, int h, byte[] rgbe) =>
        [.. Header(w, h), .. Enumerable.Repeat(rgbe, w * h).SelectMany(p => p)];

    [Fact]
    public void Decodes_run_length_and_flat_scanlines_as_radiance_does()
    {
        // Row 0 in the new RLE: 2, 2, 0, 8, then per channel runs (128 + count, value) or literals (count, values…).
        // Row 1 flat: 8 RGBE quadruples. Value (m + 0.5)·2^(e − 136), Radiance's colr_color: e = 129 → ×2^−7.
        byte[] row0 =
        [
            2, 2, 0, 8,
            128 + 8, 128,                 // R: 8 × 128 → 128.5/128 = 1.00390625
            4, 10, 20, 30, 40, 128 + 4, 64, // G: literals 10, 20, 30, 40, then 4 × 64
            128 + 8, 255,                 // B: 8 × 255 → 255.5/128
            128 + 7, 129, 1, 0,           // E: 7 × 129, then one literal 0 (black)
        ];
        byte[] row1 = [.. Enumerable.Repeat<byte[]>([0, 1, 2, 136], 8).SelectMany(p => p)]; // e = 136: (m + 0.5)·1
        var f = RadianceHdr.Parse("t.hdr", [.. Header(8, 2), .. row0, .. row1]);
        Assert.Equal((8, 2), (f.Width, f.Height));
        Assert.Equal(1.00390625, f[0, 0, 0], 9);
        Assert.Equal(10.5 / 128, f[1, 0, 0], 9);
        Assert.Equal(40.5 / 128, f[1, 0, 3], 9);
        Assert.Equal(64.5 / 128, f[1, 0, 6], 9);
        Assert.Equal(255.5 / 128, f[2, 0, 6], 9);
        Assert.Equal(0, f[0, 0, 7]);
        Assert.Equal(0, f[2, 0, 7]);
        Assert.Equal(0.5, f[0, 1, 5], 9);
        Assert.Equal(1.5, f[1, 1, 5], 9);
        Assert.Equal(2.5, f[2, 1, 5], 9);
    }

    [Fact]
    public void Rejects_what_it_does_not_read()
    {
        Assert.Contains("not a Radiance", Assert.Throws<InvalidDataException>(() => RadianceHdr.Parse("t.hdr", "P6\n"u8)).Message);
        Assert.Contains("32-bit_rle_xyze", Assert.Throws<InvalidDataException>(() => RadianceHdr.Parse("t.hdr", Header(8, 1, "32-bit_rle_xyze"))).Message);
        Assert.Contains("+Y 1 +X 8", Assert.Throws<InvalidDataException>(() => RadianceHdr.Parse("t.hdr", Header(8, 1, resolution: "+Y 1 +X 8"))).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => RadianceHdr.Parse("t.hdr", Flat(8, 2, [1, 2, 3, 4])[..^1])).Message);
        Assert.Contains("old-style", Assert.Throws<InvalidDataException>(() => RadianceHdr.Parse("t.hdr", [.. Header(8, 1), 1, 1, 1, 7])).Message);
    }
}
