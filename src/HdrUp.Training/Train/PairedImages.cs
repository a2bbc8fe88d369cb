using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;

namespace HdrUp.Training.Train;

/// <summary>
/// LQ/GT PNG pairs held in memory in their stored precision (GT 16-bit, LQ 8-bit: 3 bytes per pixel instead of 24
/// as float pairs), paired by sorted file order like the official loader (spec §11). Values convert back to the
/// exact floats <see cref="Png16.Read(string)"/> gives (code / 65535, code / 255).
/// </summary>
public sealed class PairedImages
{
    private readonly ushort[][] gt;
    private readonly byte[][] lq;

    private PairedImages(string[] gtFiles, string[] lqFiles, ushort[][] gt, byte[][] lq, int[] widths, int[] heights)
    {
        GtFiles = gtFiles; LqFiles = lqFiles; this.gt = gt; this.lq = lq; Widths = widths; Heights = heights;
    }

    public IReadOnlyList<string> GtFiles { get; }
    public IReadOnlyList<string> LqFiles { get; }
    public int Count => gt.Length;
    public IReadOnlyList<int> Widths { get; }
    public IReadOnlyList<int> Heights { get; }

    /// <summary>The PNG files of a folder in ordinal sorted order (Python's <c>sorted</c> on names).</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static string[] ListPngs(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such image folder.");
        var files = Directory.GetFiles(folder, "*.png");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Loads every pair of the two folders (in parallel on <paramref name="threads"/> threads).</summary>
    /// <param name="maxPairs">Only the first N pairs in sorted order (0 = all).</param>
    /// <exception cref="InvalidDataException">Different file counts, an empty folder, mismatched sizes, or a GT that is not 16- or 8-bit / LQ not 8-bit (message names the file).</exception>
    public static PairedImages Load(string gtFolder, string lqFolder, int threads = 1, int maxPairs = 0, CancellationToken ct = default)
    {
        var gtFiles = ListPngs(gtFolder);
        var lqFiles = ListPngs(lqFolder);
        if (gtFiles.Length == 0) throw new InvalidDataException($"{gtFolder}: no PNG files.");
        if (gtFiles.Length != lqFiles.Length)
            throw new InvalidDataException($"{lqFolder}: {lqFiles.Length} PNG files, but {gtFolder} has {gtFiles.Length}; pairs are matched by sorted order.");
        if (maxPairs > 0 && maxPairs < gtFiles.Length) { gtFiles = gtFiles[..maxPairs]; lqFiles = lqFiles[..maxPairs]; }
        int n = gtFiles.Length;
        var gt = new ushort[n][]; var lq = new byte[n][]; var w = new int[n]; var h = new int[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct }, i =>
        {
            var g = Png16.Read(gtFiles[i], out int gtDepth);
            var l = Png16.Read(lqFiles[i], out int lqDepth);
            // An 8-bit GT is an SDR target (artefact removal, the first stage of the separate cascade); stored as
            // code·257 it reads back as exactly code/255.
            if (gtDepth is not (8 or 16)) throw new InvalidDataException($"{gtFiles[i]}: GT must be a 16-bit (HDR) or 8-bit (SDR) PNG (is {gtDepth}-bit).");
            if (lqDepth != 8) throw new InvalidDataException($"{lqFiles[i]}: LQ must be an 8-bit PNG (is {lqDepth}-bit).");
            if (g.Width != l.Width || g.Height != l.Height)
                throw new InvalidDataException($"{lqFiles[i]}: {l.Width}×{l.Height}, but its GT {Path.GetFileName(gtFiles[i])} is {g.Width}×{g.Height}.");
            w[i] = g.Width; h[i] = g.Height;
            gt[i] = new ushort[g.Data.Length];
            for (int k = 0; k < g.Data.Length; k++) gt[i][k] = (ushort)MathF.Round(g.Data[k] * 65535f);
            lq[i] = new byte[l.Data.Length];
            for (int k = 0; k < l.Data.Length; k++) lq[i][k] = (byte)MathF.Round(l.Data[k] * 255f);
        });
        return new PairedImages(gtFiles, lqFiles, gt, lq, w, h);
    }

    /// <summary>Builds pairs from frames already in memory (tests, tools); values are quantised like PNGs.</summary>
    public static PairedImages FromFrames(IReadOnlyList<RgbPlanarFrame> gtFrames, IReadOnlyList<RgbPlanarFrame> lqFrames)
    {
        if (gtFrames.Count != lqFrames.Count) throw new ArgumentException("GT and LQ lists differ in length.", nameof(lqFrames));
        int n = gtFrames.Count;
        var gt = new ushort[n][]; var lq = new byte[n][]; var w = new int[n]; var h = new int[n];
        for (int i = 0; i < n; i++)
        {
            var g = gtFrames[i]; var l = lqFrames[i];
            if (g.Width != l.Width || g.Height != l.Height) throw new ArgumentException($"Pair {i}: sizes differ.", nameof(lqFrames));
            w[i] = g.Width; h[i] = g.Height;
            gt[i] = g.Data.Select(UnitInterval.ToCode16).ToArray();
            lq[i] = l.Data.Select(v => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f)).ToArray();
        }
        var names = Enumerable.Range(0, n).Select(i => $"frame{i}").ToArray();
        return new PairedImages(names, names, gt, lq, w, h);
    }

    /// <summary>Whole pair as float frames (validation).</summary>
    public (RgbPlanarFrame Lq, RgbPlanarFrame Gt) Frame(int index)
    {
        int w = Widths[index], h = Heights[index];
        var l = new RgbPlanarFrame(w, h); var g = new RgbPlanarFrame(w, h);
        var ls = lq[index]; var gs = gt[index];
        for (int k = 0; k < ls.Length; k++) { l.Data[k] = ls[k] / 255f; g.Data[k] = gs[k] / 65535f; }
        return (l, g);
    }

    /// <summary>
    /// Copies the size×size window at (<paramref name="top"/>, <paramref name="left"/>) of pair <paramref name="index"/>
    /// into planar 3×size×size float buffers, as code/255 (LQ) and code/65535 (GT).
    /// </summary>
    public void Crop(int index, int top, int left, int size, Span<float> lqOut, Span<float> gtOut)
    {
        int w = Widths[index], h = Heights[index];
        if (top < 0 || left < 0 || top + size > h || left + size > w)
            throw new ArgumentOutOfRangeException(nameof(top), $"Crop {size} at ({top}, {left}) leaves the {w}×{h} frame {GtFiles[index]}.");
        var ls = lq[index]; var gs = gt[index];
        int plane = w * h, o = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
            {
                int src = c * plane + (top + y) * w + left;
                for (int x = 0; x < size; x++, o++)
                {
                    lqOut[o] = ls[src + x] / 255f;
                    gtOut[o] = gs[src + x] / 65535f;
                }
            }
    }
}
