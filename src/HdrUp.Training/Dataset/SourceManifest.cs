using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>How a source image is framed into dataset frames.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SourceKind>))]
public enum SourceKind
{
    /// <summary>An ordinary photograph: cut into non-overlapping crops.</summary>
    Photo,

    /// <summary>A 360° equirectangular panorama (2:1): reprojected into rectilinear views.</summary>
    Panorama,
}

/// <summary>Which split a source feeds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SourceRole>))]
public enum SourceRole
{
    Train,
    Test,

    /// <summary>Recorded but not used (e.g. a test chart, or a panorama that failed the quality rule).</summary>
    Excluded,
}

/// <summary>Luminance statistics of a scene-referred source, relative units (BT.709 luminance as stored).</summary>
/// <param name="Peak">Largest pixel luminance.</param>
/// <param name="Median">Median pixel luminance.</param>
/// <param name="PeakOverMedianStops">log2(peak / median): how far the highlights reach above the typical level.</param>
/// <param name="DynamicRangeStops">log2(P99.9 / P0.1) of luminance: the usable scene range, robust to single pixels.</param>
public sealed record SourceStats(double Peak, double Median, double PeakOverMedianStops, double DynamicRangeStops);

/// <summary>One file of the source set, as recorded in the sources folder's manifest (<see cref="DatasetLayout.SourceManifestPath"/>).</summary>
public sealed record SourceFile
{
    /// <summary>Unique short name, used in frame file names, e.g. "blender-city".</summary>
    public required string Id { get; init; }

    /// <summary>Path relative to the sources folder (forward slashes).</summary>
    public required string Path { get; init; }

    public required string Origin { get; init; }
    public required string OriginVersion { get; init; }
    public required string Registry { get; init; }
    public required string Licence { get; init; }
    public required SourceKind Kind { get; init; }
    public required SourceRole Role { get; init; }
    public string? Note { get; init; }
    public required long SizeBytes { get; init; }
    public required string Sha256 { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public SourceStats? Stats { get; init; }
}

public sealed record SourceManifest
{
    public int FormatVersion { get; init; } = 1;
    public required IReadOnlyList<SourceFile> Files { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static SourceManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SourceManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty manifest.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a valid source manifest ({ex.Message}).", ex);
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}

internal static class DatasetFiles
{
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Relative(string root, string path) => System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');
}
