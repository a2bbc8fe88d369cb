using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Training.Train;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace HdrUp.Training.Tests.Train;

/// <summary>Tiny LQ/GT PNG folders in a temp directory, deleted on dispose.</summary>
internal sealed class SyntheticPairs : IDisposable
{
    public SyntheticPairs(int count, int width, int height)
    {
        Root = Path.Combine(Path.GetTempPath(), "hdrup-train-tests-" + Guid.NewGuid().ToString("N"));
        GtDir = Path.Combine(Root, "gt");
        LqDir = Path.Combine(Root, "lq");
        Directory.CreateDirectory(GtDir);
        Directory.CreateDirectory(LqDir);
        for (int i = 0; i < count; i++)
        {
            // Smooth colour gradients with a per-frame phase; GT is a fixed tone curve of LQ (0.05 + 0.7·lq^1.5),
            // a mapping a small network can fit quickly.
            var lq = new byte[3 * width * height];
            var gt = new RgbPlanarFrame(width, height);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        double v = 0.5 + 0.45 * Math.Sin(0.3 * x + 0.2 * y + 1.7 * c + i);
                        byte code = (byte)Math.Round(v * 255);
                        lq[(c * height + y) * width + x] = code;
                        gt[c, y, x] = (float)(0.05 + 0.7 * Math.Pow(code / 255.0, 1.5));
                    }
            string name = $"{i:D4}_synthetic.png";
            Png16.Write(Path.Combine(GtDir, name), gt);
            WriteLq(Path.Combine(LqDir, name), lq, width, height);
        }
    }

    public string Root { get; }
    public string GtDir { get; }
    public string LqDir { get; }

    public static void WriteLq(string path, byte[] planar, int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        int n = width * height;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24(planar[y * width + x], planar[n + y * width + x], planar[2 * n + y * width + x]);
        image.SaveAsPng(path);
    }

    /// <summary>Small, fast options: KPNet at nf 8 (the real architecture, BatchNorm included), no validation.</summary>
    public TrainOptions Options(long iterations, int crop = 16, int batch = 2, double lr = 2e-4, long checkpointEvery = 0) => new()
    {
        Name = "test",
        Threads = 2,
        Datasets = new DatasetsOptions
        {
            Train = new TrainDataOptions { DatarootGt = GtDir, DatarootLq = LqDir, GtSize = crop, BatchSize = batch, Qp = null },
            Val = new ValDataOptions { DatarootGt = null, DatarootLq = null },
        },
        Network = new NetworkOptions { Type = "kpnet", Nf = 8 },
        Train = new OptimisationOptions { TotalIter = iterations, Optimizer = new AdamOptions { Lr = lr } },
        Logger = new LoggerOptions { PrintFreq = 1, SaveCheckpointFreq = checkpointEvery },
    };

    public string NewRunDir() => Path.Combine(Root, "run-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
