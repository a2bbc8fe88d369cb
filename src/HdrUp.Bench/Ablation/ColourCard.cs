using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Training.Dataset;

namespace HdrUp.Bench.Ablation;

/// <summary>One patch of the card: its rectangle and its HDR value as PQ BT.2020 code values in [0, 1].</summary>
public sealed record CardPatch(string Name, int X, int Y, int Width, int Height, float R, float G, float B);

/// <summary>The card as HDR ground truth, SDR (BT.2446 Method C) and, if asked, that SDR after x265 intra at a QP.</summary>
public sealed record ColourCardFrames(RgbPlanarFrame Hdr, RgbPlanarFrame Sdr, RgbPlanarFrame? CompressedSdr, int? Qp, IReadOnlyList<CardPatch> Patches);

/// <summary>Scores of one mapper on the card: ΔE_ITP per patch (mean inside it), at patch edges and in patch interiors.</summary>
/// <param name="Ghosting">Edge − Interior: extra colour error at the patch borders, where compression ghosts and
/// colour bleeding sit (paper Fig. 6); 0 for a perfect mapper.</param>
public sealed record ColourCardScore(IReadOnlyList<(string Patch, double DeltaEItp)> PerPatch, double MeanDeltaEItp,
    double EdgeDeltaEItp, double InteriorDeltaEItp, double Ghosting);

/// <summary>
/// A hand-designed colour card in the spirit of paper Fig. 6 (§5.3.4, "hand-designed color cards for easy visual
/// examination" of colour breakdown and ghosting): on a 20 cd/m² grey background, a grid of 6 × 3 saturated patches —
/// columns the BT.2020 primaries and secondaries R, G, B, C, M, Y (channel values 1 and 0 in linear light), rows at
/// 100, 400 and 1,000 cd/m² peak channel luminance — and below them a strip with a hue sweep whose brightness rises
/// from left to right (0 → 1,000 cd/m² peak), so sharp saturated edges and smooth gradients are both present.
/// Layout: margins and gaps of <c>width/32</c>, the grid in the top 3/4, the strip in the bottom 1/4.
/// </summary>
public static class ColourCard
{
    /// <summary>Grey background, cd/m².</summary>
    public const double BackgroundNits = 20;
    /// <summary>Peak linear channel luminance of the three patch rows, cd/m².</summary>
    public static IReadOnlyList<double> RowNits { get; } = [100, 400, 1000];
    /// <summary>Linear BT.2020 chromaticities of the six patch columns (max channel 1).</summary>
    public static IReadOnlyList<(string Name, double R, double G, double B)> Hues { get; } =
        [("red", 1, 0, 0), ("green", 0, 1, 0), ("blue", 0, 0, 1), ("cyan", 0, 1, 1), ("magenta", 1, 0, 1), ("yellow", 1, 1, 0)];

    /// <summary>Width of the border band used for the ghosting number, pixels (each side of every patch edge).</summary>
    public const int EdgeBand = 2;

    /// <summary>
    /// Builds the card at <paramref name="width"/>×<paramref name="height"/> (both ≥ 32). With <paramref name="qp"/> the
    /// SDR is also compressed with x265 intra at that QP through the dataset's HEVC settings (<see cref="Hevc"/>; needs
    /// ffmpeg, even sizes) and decoded back.
    /// </summary>
    public static ColourCardFrames Generate(int width, int height, int? qp = null, CancellationToken ct = default)
    {
        if (width < 32 || height < 32) throw new ArgumentOutOfRangeException(nameof(width), $"{width}×{height}: the card needs at least 32×32.");
        var hdr = new RgbPlanarFrame(width, height);
        float bg = (float)St2084.InverseEotf(BackgroundNits);
        hdr.Data.AsSpan().Fill(bg);
        int gap = Math.Max(2, width / 32);
        int gridH = height * 3 / 4;
        int pw = (width - gap * (Hues.Count + 1)) / Hues.Count, ph = (gridH - gap * (RowNits.Count + 1)) / RowNits.Count;
        var patches = new List<CardPatch>();
        for (int row = 0; row < RowNits.Count; row++)
            for (int col = 0; col < Hues.Count; col++)
            {
                var (name, r, g, b) = Hues[col];
                double nits = RowNits[row];
                var patch = new CardPatch($"{name} {nits:0} cd/m²", gap + col * (pw + gap), gap + row * (ph + gap), pw, ph,
                    (float)St2084.InverseEotf(r * nits), (float)St2084.InverseEotf(g * nits), (float)St2084.InverseEotf(b * nits));
                patches.Add(patch);
                for (int y = patch.Y; y < patch.Y + ph; y++)
                    for (int x = patch.X; x < patch.X + pw; x++)
                        (hdr[0, y, x], hdr[1, y, x], hdr[2, y, x]) = (patch.R, patch.G, patch.B);
            }
        // Strip: hue angle along x twice round the circle, brightness rising along x; full height below the grid.
        for (int y = gridH; y < height - gap; y++)
            for (int x = gap; x < width - gap; x++)
            {
                double t = (x - gap) / (double)(width - 2 * gap - 1);
                double nits = 1000 * t;
                double hue = 4 * Math.PI * t;
                double[] c = [0.5 + 0.5 * Math.Cos(hue), 0.5 + 0.5 * Math.Cos(hue - 2 * Math.PI / 3), 0.5 + 0.5 * Math.Cos(hue + 2 * Math.PI / 3)];
                for (int ch = 0; ch < 3; ch++) hdr[ch, y, x] = (float)St2084.InverseEotf(c[ch] * nits);
            }
        var sdr = Bt2446C.ToSdr(hdr, HdrEncoding.Pq, cancellationToken: ct);
        var compressed = qp is int q ? Compress(sdr, q, ct) : null;
        return new ColourCardFrames(hdr, sdr, compressed, qp, patches);
    }

    /// <summary>
    /// ΔE_ITP (BT.2124) of <paramref name="mapper"/>'s output on the card's (compressed if present) SDR against the HDR:
    /// per patch the mean over the patch's interior (the patch minus <see cref="EdgeBand"/> pixels on each side), the
    /// mean over all patches, the mean over the edge bands (<see cref="EdgeBand"/> pixels inside and outside every
    /// patch border) and over the interiors, and their difference as the ghosting number. Output negatives set to 0.
    /// </summary>
    public static ColourCardScore Score(IFrameMapper mapper, ColourCardFrames card, CancellationToken ct = default)
    {
        var output = mapper.Map(card.CompressedSdr ?? card.Sdr, ct);
        if (output.Width != card.Hdr.Width || output.Height != card.Hdr.Height)
            throw new InvalidDataException($"{mapper.Name}: output {output.Width}×{output.Height}, card {card.Hdr.Width}×{card.Hdr.Height}.");
        int w = card.Hdr.Width, h = card.Hdr.Height;
        var de = new double[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var p = Ictcp.FromPqBt2020(Math.Max(0, output[0, y, x]), Math.Max(0, output[1, y, x]), Math.Max(0, output[2, y, x]));
                var g = Ictcp.FromPqBt2020(card.Hdr[0, y, x], card.Hdr[1, y, x], card.Hdr[2, y, x]);
                de[y * w + x] = DeltaE.Itp(p, g);
            }
        var perPatch = new List<(string, double)>();
        var interior = new bool[w * h];
        var edge = new bool[w * h];
        foreach (var p in card.Patches)
        {
            double sum = 0; int n = 0;
            for (int y = p.Y - EdgeBand; y < p.Y + p.Height + EdgeBand; y++)
                for (int x = p.X - EdgeBand; x < p.X + p.Width + EdgeBand; x++)
                {
                    if (x < 0 || y < 0 || x >= w || y >= h) continue;
                    bool inside = x >= p.X + EdgeBand && x < p.X + p.Width - EdgeBand && y >= p.Y + EdgeBand && y < p.Y + p.Height - EdgeBand;
                    if (inside) { interior[y * w + x] = true; sum += de[y * w + x]; n++; }
                    else edge[y * w + x] = true;
                }
            perPatch.Add((p.Name, sum / n));
        }
        double Mean(bool[] mask) => Enumerable.Range(0, w * h).Where(i => mask[i]).Select(i => de[i]).DefaultIfEmpty(0).Average();
        double edgeMean = Mean(edge), interiorMean = Mean(interior);
        return new ColourCardScore(perPatch, perPatch.Average(p => p.Item2), edgeMean, interiorMean, edgeMean - interiorMean);
    }

    // x265 intra at the QP with the dataset's settings, then decoded: the compressed SDR a network sees.
    private static RgbPlanarFrame Compress(RgbPlanarFrame sdr, int qp, CancellationToken ct)
    {
        if (sdr.Width % 2 != 0 || sdr.Height % 2 != 0) throw new ArgumentException("x265 4:2:0 needs even sizes.", nameof(sdr));
        string tmp = Path.Combine(Path.GetTempPath(), "hdrup-colour-card-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            int n = sdr.PixelCount;
            var rgb = new byte[3 * n];
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 3; c++)
                    rgb[3 * i + c] = (byte)Math.Clamp(Math.Round(sdr.Data[c * n + i] * 255), 0, 255);
            string size = $"{sdr.Width}x{sdr.Height}", stream = Path.Combine(tmp, "card.hevc");
            Task.Run(async () =>
            {
                await using (var sink = new FfmpegSink(Hevc.EncodeArgs(size, qp, "medium", stream), "colour card x265"))
                {
                    await sink.WriteAsync(rgb, ct).ConfigureAwait(false);
                    await sink.CompleteAsync(ct).ConfigureAwait(false);
                }
                await Ffmpeg.RunAsync(Hevc.DecodeArgs(stream, tmp), "colour card decode", ct).ConfigureAwait(false);
            }, ct).GetAwaiter().GetResult();
            return Png16.Read(Path.Combine(tmp, "000000.png"));
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
        }
    }
}
