using System.Diagnostics;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Inference;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

public class InferenceTests(ITestOutputHelper output)
{
    internal static KPNet GoldenKPNet()
    {
        var net = new KPNet();
        Checkpoint.Load(net, Golden.File("kpnet.pth"));
        return net;
    }

    /// <summary>A smooth, natural-looking synthetic RGB frame in [0, 1]: gradients, soft discs and a sky-like band.</summary>
    internal static float[] SyntheticFrame(int width, int height)
    {
        var f = new float[3 * width * height];
        var discs = new (double X, double Y, double R, double[] C)[]
        {
            (0.25, 0.35, 0.12, [0.9, 0.7, 0.3]), (0.7, 0.6, 0.18, [0.2, 0.5, 0.8]), (0.5, 0.8, 0.08, [0.8, 0.2, 0.3]),
        };
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double u = (double)x / width, v = (double)y / height;
                double[] c = [0.3 + 0.4 * u, 0.25 + 0.35 * (1 - v), 0.4 + 0.3 * Math.Sin(3 * u + 2 * v)];
                foreach (var d in discs)
                {
                    double r = Math.Sqrt((u - d.X) * (u - d.X) * width / height * width / height + (v - d.Y) * (v - d.Y));
                    double a = 1 / (1 + Math.Exp((r - d.R) * 200 * height / 1080.0 * 1080 / Math.Max(height, 1) * height / 270));
                    for (int k = 0; k < 3; k++) c[k] = c[k] * (1 - a) + d.C[k] * a;
                }
                double texture = 0.03 * Math.Sin(x * 0.21) * Math.Cos(y * 0.17);
                for (int k = 0; k < 3; k++) f[(k * height + y) * width + x] = (float)Math.Clamp(c[k] + texture, 0, 1);
            }
        return f;
    }

    // The float[] path equals a direct forward and the golden output (spec §8 tolerance 1e-4).
    [Fact]
    public void Planar_buffer_path_reproduces_golden_output()
    {
        using var net = GoldenKPNet();
        var engine = new FrameInference(net);
        var input = Npy.Read(Golden.File("input_1x3x64x96.npy")).AsFloat();
        var result = engine.Run(input, 96, 64);
        using var t = torch.tensor(result, new long[] { 1, 3, 64, 96 });
        Assert.InRange(Golden.MaxAbsDiff(t, Npy.Read(Golden.File("kpnet_output.npy"))), 0, 1e-4);
    }

    // Reflect padding to the multiple (8, 2, 4) and cropping back.
    [Theory]
    [InlineData("kpnet", 61, 93)]
    [InlineData("kpnet-single-kib", 61, 93)]
    [InlineData("kunet", 61, 93)]
    [InlineData("kpnet", 5, 7)]
    public void Non_multiple_sizes_come_back_the_same_size(string arch, int height, int width)
    {
        using var net = ArchRegistry.Create(arch);
        var engine = new FrameInference(net);
        using var x = torch.rand(1, 3, height, width);
        using var y = engine.Run(x);
        Assert.Equal(new long[] { 1, 3, height, width }, y.shape);
        Assert.False(y.isnan().any().item<bool>());
        var flat = engine.Run(x.contiguous().data<float>().ToArray(), width, height);
        Assert.Equal(3 * width * height, flat.Length);
    }

    // A frame already a multiple of 8 and covered by one tile is not padded: identical to the plain forward.
    [Fact]
    public void Multiple_of_8_whole_frame_equals_plain_forward_bitwise()
    {
        using var net = GoldenKPNet();
        var engine = new FrameInference(net, new InferenceOptions { TileSize = 128 });
        using var x = Golden.Input();
        using var y = engine.Run(x);
        using var noGrad = torch.no_grad();
        using var z = net.call(x);
        Assert.True(Golden.Same(y, z));
    }

    // Tiled vs whole on 256×384 with 128-px tiles + 32 overlap, golden KPNet weights, smooth synthetic frame.
    // Measured 55.3 dB (the coordinate attention's row/column means differ per tile; everything else is exact
    // because tile starts are multiples of 8). Bugs look very different: tile starts off the stride-8 grid gave
    // 13.7 dB, no overlap (hard seams) 30.8 dB on the single-KIB net. 48 dB (RMS error 0.004 of full scale)
    // leaves 7 dB of margin over the measurement while catching either bug.
    [Fact]
    public void Tiled_output_is_close_to_whole_frame_output()
    {
        using var net = GoldenKPNet();
        const int w = 384, h = 256;
        using var x = torch.tensor(SyntheticFrame(w, h), new long[] { 1, 3, h, w });
        using var whole = new FrameInference(net).Run(x);
        using var tiled = new FrameInference(net, new InferenceOptions { TileSize = 128, TileOverlap = 32 }).Run(x);
        double psnr = Golden.Psnr(whole, tiled);
        output.WriteLine($"tiled(128/32) vs whole PSNR at {w}x{h}: {psnr:F2} dB");
        Assert.InRange(psnr, 48, double.PositiveInfinity);
        Assert.Equal(whole.shape, tiled.shape);
    }

    // The ONNX backend's padding, tiling and blending on float buffers (PlanarTiling) against the libtorch path's on
    // tensors, both around the same libtorch forward so that only that arithmetic differs: equal bit for bit on frames
    // that need reflect padding, replicate padding (too small to reflect) and tiles with either blend, odd sides too.
    [Theory]
    [InlineData(45, 31, 0, 16, TileBlend.Cosine)]
    [InlineData(3, 2, 0, 16, TileBlend.Cosine)]
    [InlineData(101, 75, 48, 16, TileBlend.Cosine)]   // 3×2 tiles of 48 on the 104×80 padded frame
    [InlineData(157, 101, 64, 24, TileBlend.Linear)]
    public void Buffer_padding_and_tiling_equal_the_tensor_path_bit_for_bit(int width, int height, int tile, int overlap, TileBlend blend)
    {
        torch.random.manual_seed(7);
        using var net = ArchRegistry.Create("kpnet-nf16");
        var frame = new float[3 * width * height];
        var random = new Random(11);
        for (int i = 0; i < frame.Length; i++) frame[i] = (float)random.NextDouble();
        var options = new InferenceOptions { TileSize = tile, TileOverlap = overlap, Blend = blend };
        float[] tensors = new FrameInference(net, options).Run(frame, width, height);
        var buffers = new float[frame.Length];
        var tiling = new PlanarTiling(net.SizeMultiple, options, (input, result, w, h) =>
        {
            using var inference = torch.inference_mode();
            using var x = torch.tensor(input, new long[] { 1, 3, h, w });
            using var y = net.call(x);
            y.data<float>().ToArray().CopyTo(result, 0);
        });
        tiling.Run(frame, buffers, width, height);
        Assert.Equal(tensors, buffers);
        Assert.True(tensors.Max() - tensors.Min() > 0.01, "The output is nearly constant, so the comparison would prove little.");
    }

    // Tile geometry: first tile at 0, last ends at the border, overlaps ≥ the requested one, starts on the stride grid.
    [Theory]
    [InlineData(1080, 512, 64, 8)]
    [InlineData(1920, 512, 64, 8)]
    [InlineData(384, 128, 32, 8)]
    [InlineData(96, 128, 32, 8)]
    [InlineData(1088, 768, 128, 4)]
    public void Tile_starts_cover_the_frame_with_enough_overlap(int length, int tile, int overlap, int align)
    {
        var s = FrameInference.TileStarts(length, tile, overlap, align);
        Assert.Equal(0, s[0]);
        Assert.Equal(Math.Max(0, length - tile), s[^1]);
        Assert.All(s, v => Assert.Equal(0, v % align));
        for (int i = 1; i < s.Length; i++) Assert.InRange(s[i - 1] + tile - s[i], overlap, tile - 1);
    }

    // Deterministic for a fixed thread count: two runs are bitwise equal.
    [Fact]
    public void Inference_is_deterministic()
    {
        using var net = GoldenKPNet();
        var engine = new FrameInference(net, new InferenceOptions { TileSize = 64, TileOverlap = 16 });
        var frame = SyntheticFrame(120, 96);
        Assert.Equal(engine.Run(frame, 120, 96), engine.Run(frame, 120, 96));
    }
}

/// <summary>Runs alone (after the parallel classes): RSS is per process, so other tests' allocations would show up here.</summary>
[CollectionDefinition("serial", DisableParallelization = true)]
public class SerialCollection;

[Collection("serial")]
public class InferenceMemoryTests(ITestOutputHelper output)
{
    // Native memory is released per frame: live tensor count returns to its starting value and RSS stays flat.
    [Fact]
    public void Memory_does_not_grow_across_frames()
    {
        using var net = InferenceTests.GoldenKPNet();
        var engine = new FrameInference(net, new InferenceOptions { TileSize = 64, TileOverlap = 16 });
        var frame = InferenceTests.SyntheticFrame(100, 72);
        var result = new float[frame.Length];
        for (int i = 0; i < 3; i++) engine.Run(frame, result, 100, 72);   // warm-up (allocator caches)
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssBefore = Rss();
        for (int i = 0; i < 20; i++) engine.Run(frame, result, 100, 72);
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssAfter = Rss();
        output.WriteLine($"live tensors {liveBefore} -> {liveAfter}; RSS {rssBefore >> 20} -> {rssAfter >> 20} MiB");
        Assert.Equal(liveBefore, liveAfter);
        Assert.InRange(rssAfter - rssBefore, long.MinValue, 64L << 20);   // one 100×72 frame's features are < 10 MiB
    }

    // The managed heap counts in RSS too, and garbage the other test classes of this process left behind would show up as
    // growth here (seen: +83 MiB in a whole-suite run, +11 MiB alone), so both readings follow a full collection.
    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
