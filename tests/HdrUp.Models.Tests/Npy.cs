using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace HdrUp.Models.Tests;

/// <summary>A NumPy array read from .npy: shape and data as float64 (float32 / int64 sources, C order).</summary>
public sealed record NpyArray(long[] Shape, double[] Data, string DType)
{
    public float[] AsFloat() => Data.Select(d => (float)d).ToArray();
}

/// <summary>Minimal reader of NumPy .npy (format 1.0–3.0, little-endian f4/f8/i8/i4, C order) and .npz (zip of .npy).</summary>
public static partial class Npy
{
    public static NpyArray Read(string path)
    {
        using var s = File.OpenRead(path);
        return Read(s, path);
    }

    public static Dictionary<string, NpyArray> ReadNpz(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var result = new Dictionary<string, NpyArray>();
        foreach (var e in zip.Entries)
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            ms.Position = 0;
            result[Path.GetFileNameWithoutExtension(e.Name)] = Read(ms, $"{path}:{e.Name}");
        }
        return result;
    }

    private static NpyArray Read(Stream s, string name)
    {
        var magic = new byte[8];
        s.ReadExactly(magic);
        if (magic[0] != 0x93 || Encoding.ASCII.GetString(magic, 1, 5) != "NUMPY") throw new InvalidDataException($"{name}: not a .npy file.");
        int major = magic[6];
        int headerLen;
        if (major == 1) { var b = new byte[2]; s.ReadExactly(b); headerLen = BinaryPrimitives.ReadUInt16LittleEndian(b); }
        else { var b = new byte[4]; s.ReadExactly(b); headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(b); }
        var hb = new byte[headerLen];
        s.ReadExactly(hb);
        string header = Encoding.Latin1.GetString(hb);
        string descr = DescrRegex().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{name}: Fortran order not supported.");
        var shapeText = ShapeRegex().Match(header).Groups[1].Value;
        long[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int size = descr switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, _ => throw new InvalidDataException($"{name}: dtype {descr} not supported.") };
        var raw = new byte[count * size];
        s.ReadExactly(raw);
        var data = new double[count];
        for (long i = 0; i < count; i++)
        {
            var span = raw.AsSpan((int)(i * size), size);
            data[i] = descr switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(span),
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(span),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(span),
                _ => BinaryPrimitives.ReadInt64LittleEndian(span),
            };
        }
        return new NpyArray(shape, data, descr);
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
