using HdrUp.Color;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using HdrUp.Core;

namespace HdrUp.Bench;

/// <summary>
/// The side-by-side crops of <c>hdrup bench quality</c>: one row per chosen test frame, columns SDR input, each
/// method in the order scored, ground truth; the centre <see cref="Size"/>² of each frame. HDR tiles are shown with
/// <see cref="SdrPreview"/>, the SDR input as its BT.709 code values.
/// </summary>
public sealed class CropFigure
{
    public const string InputLabel = "SDR input";
    public const string TruthLabel = "ground truth";
    private const int Gap = 4;

    private readonly Dictionary<int, (List<string> Columns, Dictionary<(string, int), Rgb24[]> Tiles)> byQp = [];

    /// <param name="frames">Test-frame indices that become rows.</param>
    /// <param name="size">Crop side in pixels (smaller frames give smaller crops).</param>
    public CropFigure(IReadOnlyList<int> frames, int size = 128)
    {
        Frames = frames;
        Size = size;
    }

    public IReadOnlyList<int> Frames { get; }
    public int Size { get; }
    public IEnumerable<int> Qps => byQp.Keys;

    /// <summary>Test-frame rows spread evenly over a split of <paramref name="count"/> frames.</summary>
    public static int[] Spread(int count, int rows) => EvenSpread.Indices(count, rows);

    public bool Wants(int frame) => Frames.Contains(frame);

    /// <summary>Adds a tile; <paramref name="pq"/> false for the SDR input (display code values already).</summary>
    public void Add(int qp, string column, int frame, RgbPlanarFrame image, bool pq = true)
    {
        if (!Wants(frame)) return;
        if (!byQp.TryGetValue(qp, out var figure)) byQp[qp] = figure = ([], []);
        if (!figure.Columns.Contains(column)) figure.Columns.Add(column);
        figure.Tiles[(column, frame)] = Crop(image, pq);
    }

    /// <summary>Column labels of one QP's figure, left to right (input first, truth last).</summary>
    public IReadOnlyList<string> Columns(int qp) => Ordered(byQp[qp].Columns);

    /// <summary>Writes one QP's figure as an 8-bit PNG (white gaps between tiles).</summary>
    public void Save(int qp, Stream destination)
    {
        var (_, tiles) = byQp[qp];
        var columns = Columns(qp);
        int side = TileSide(tiles);
        int width = columns.Count * (side + Gap) - Gap, height = Frames.Count * (side + Gap) - Gap;
        using var image = new Image<Rgb24>(width, height, new Rgb24(255, 255, 255));
        for (int row = 0; row < Frames.Count; row++)
            for (int col = 0; col < columns.Count; col++)
            {
                if (!tiles.TryGetValue((columns[col], Frames[row]), out var tile)) continue;
                int x0 = col * (side + Gap), y0 = row * (side + Gap);
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                        image[x0 + x, y0 + y] = tile[y * side + x];
            }
        image.SaveAsPng(destination);
    }

    private static List<string> Ordered(List<string> columns) =>
        [.. columns.Where(c => c == InputLabel), .. columns.Where(c => c is not InputLabel and not TruthLabel), .. columns.Where(c => c == TruthLabel)];

    private static int TileSide(Dictionary<(string, int), Rgb24[]> tiles) => (int)Math.Round(Math.Sqrt(tiles.Values.First().Length));

    private Rgb24[] Crop(RgbPlanarFrame f, bool pq)
    {
        int side = Math.Min(Size, Math.Min(f.Width, f.Height));
        int x0 = (f.Width - side) / 2, y0 = (f.Height - side) / 2;
        var tile = new Rgb24[side * side];
        static byte Byte(double v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                double r = f[0, y0 + y, x0 + x], g = f[1, y0 + y, x0 + x], b = f[2, y0 + y, x0 + x];
                if (pq) (r, g, b) = SdrPreview.FromPq(r, g, b);
                tile[y * side + x] = new Rgb24(Byte(r), Byte(g), Byte(b));
            }
        return tile;
    }
}
