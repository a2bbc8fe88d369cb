using System.Text;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media.Tests;

public class FloatImageTests
{
    // Linear values with nothing special about them: tiny, above 1, large.
    private static float Value(int c, int y, int x) => c switch
    {
        0 => 0.001f * (1 + x + 4 * y),
        1 => 1.5f + x + 4 * y,
        _ => 100.25f / (1 + x + 4 * y),
    };

    private const int W = 4, H = 2;

    [Fact]
    public void Pfm_rows_are_read_bottom_to_top()
    {
        using var temp = new TempFolder();
        string path = temp.File("t.pfm");
        using (var file = File.Create(path))
        {
            file.Write(Encoding.ASCII.GetBytes($"PF\n{W} {H}\n-1.0\n"));
            var writer = new BinaryWriter(file);
            for (int y = H - 1; y >= 0; y--)
            for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                writer.Write(Value(c, y, x));
        }

        RgbPlanarFrame frame = FloatImage.Read(path);

        for (int c = 0; c < 3; c++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            Assert.Equal(Value(c, y, x), frame[c, y, x]);
    }

    [Fact]
    public void Exr_float_values_come_back_exactly()
    {
        using var temp = new TempFolder();
        string path = temp.File("t.exr");
        // gbrpf32le planes G, B, R: ffmpeg's EXR encoder stores them as 32-bit float, uncompressed.
        var raw = new MemoryStream();
        var writer = new BinaryWriter(raw);
        foreach (int c in new[] { 1, 2, 0 })
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            writer.Write(Value(c, y, x));
        Cli.FfmpegBytes(raw.ToArray(), "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "gbrpf32le", "-video_size", $"{W}x{H}",
            "-i", "pipe:0", "-c:v", "exr", "-format", "float", "-compression", "zip1", "-frames:v", "1", path);

        RgbPlanarFrame frame = FloatImage.Read(path);

        for (int c = 0; c < 3; c++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            Assert.Equal(Value(c, y, x), frame[c, y, x]);
    }
}
