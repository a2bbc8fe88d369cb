using HdrUp.Color;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using HdrUp.Core;

namespace HdrUp.Media.Tests;

public class Png16Tests
{
    [Theory]
    // v = float32((k + 0.5) / 65535), whose float32 product with 65535 is exactly k + 0.5 (checked in
    // Python with struct-packed float32); numpy's round (half to even) gives these codes.
    [InlineData(7.629510946571827e-06f, 0)]
    [InlineData(2.288853283971548e-05f, 2)]
    [InlineData(3.8147554732859135e-05f, 2)]
    [InlineData(5.340657662600279e-05f, 4)]
    [InlineData(0.0015335317002609372f, 100)]
    [InlineData(0.4999847412109375f, 32766)]
    [InlineData(0.5f, 32768)]
    [InlineData(0.9999923706054688f, 65534)]
    // Clamping and NaN.
    [InlineData(-0.25f, 0)]
    [InlineData(1.5f, 65535)]
    [InlineData(float.NaN, 0)]
    public void Quantize_rounds_half_to_even_like_numpy(float value, int code)
    {
        Assert.Equal(code, UnitInterval.ToCode16(value));
    }

    [Fact]
    public void Round_trip_is_exact_to_one_code()
    {
        using var temp = new TempFolder();
        string path = temp.File("frame.png");
        var frame = new RgbPlanarFrame(7, 5);
        for (int i = 0; i < frame.Data.Length; i++)
            frame.Data[i] = (i * 2654435761u % 100000) / 100000f; // spread over [0, 1) without an RNG

        Png16.Write(path, frame);
        RgbPlanarFrame back = Png16.Read(path, out int depth);

        Assert.Equal(16, depth);
        Assert.Equal((7, 5), (back.Width, back.Height));
        for (int i = 0; i < frame.Data.Length; i++)
        {
            Assert.Equal(UnitInterval.ToCode16(frame.Data[i]) / 65535f, back.Data[i]);
            Assert.InRange(Math.Abs(back.Data[i] - frame.Data[i]), 0, 0.5 / 65535 + 1e-7);
        }
        Assert.Equal(["frame.png"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Eight_bit_png_reads_as_code_over_255()
    {
        using var temp = new TempFolder();
        string path = temp.File("sdr.png");
        using (var image = new Image<Rgb24>(2, 1))
        {
            image[0, 0] = new Rgb24(0, 128, 255);
            image[1, 0] = new Rgb24(1, 254, 77);
            image.SaveAsPng(path);
        }

        RgbPlanarFrame frame = Png16.Read(path, out int depth);

        Assert.Equal(8, depth);
        Assert.Equal([0f, 1 / 255f, 128 / 255f, 254 / 255f, 1f, 77 / 255f], frame.Data);
    }

    [Fact]
    public void Non_png_is_a_one_line_error()
    {
        using var temp = new TempFolder();
        string path = temp.File("fake.png");
        File.WriteAllText(path, "not an image");
        var e = Assert.Throws<InvalidDataException>(() => Png16.Read(path));
        Assert.Equal("fake.png: not a PNG or other image ImageSharp reads", e.Message);
        Assert.Throws<FileNotFoundException>(() => Png16.Read(temp.File("missing.png")));
    }
}
