using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrUp.Core;

namespace HdrUp.Models;

/// <summary>
/// Description stored as JSON next to a weights file (<c>name.safetensors</c> → <c>name.card.json</c>):
/// what was trained, on what, for how long, and how well it validated.
/// </summary>
public sealed record ModelCard
{
    /// <summary>Registry name (see <see cref="ArchRegistry"/>), e.g. <c>kpnet</c>.</summary>
    public required string Architecture { get; init; }
    /// <summary>Feature width nf.</summary>
    public int Width { get; init; } = ArchRegistry.DefaultWidth;
    /// <summary>KPNet options when the architecture is of the KPNet family (informative; the registry name is authoritative).</summary>
    public KPNetOptions? Options { get; init; }
    /// <summary>HEVC QP of the training SDR input (32, 37, 42, 47), if known.</summary>
    public int? Qp { get; init; }
    /// <summary>Training data description (dataset, folders, crop size…).</summary>
    public string? TrainingData { get; init; }
    /// <summary>Optimiser iterations run.</summary>
    public long? Iterations { get; init; }
    /// <summary>Training wall time in seconds.</summary>
    public double? WallTimeSeconds { get; init; }
    /// <summary>Validation PSNR in dB (peak 1, on PQ code values).</summary>
    public double? ValidationPsnr { get; init; }
    /// <summary>Validation ΔE_ITP (BT.2124).</summary>
    public double? ValidationDeltaEItp { get; init; }
    /// <summary>Weights file name, relative to the card.</summary>
    public string? WeightsFile { get; init; }
    /// <summary>When the card was written (UTC).</summary>
    public DateTimeOffset? CreatedUtc { get; init; }
    /// <summary>Free text.</summary>
    public string? Notes { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The card as <c>hdrup model info</c> shows it: one row a field that is set.</summary>
    public TextTable ToTable()
    {
        var table = new TextTable("field", "value") { Title = "model card" };
        void Row(string field, object? value) { if (value is not null) table.Add(field, Convert.ToString(value, CultureInfo.InvariantCulture)!); }
        Row("architecture", Architecture);
        Row("width", Width);
        Row("qp", Qp);
        Row("training data", TrainingData);
        Row("iterations", Iterations);
        Row("wall time (h)", WallTimeSeconds is double s ? Math.Round(s / 3600, 2) : null);
        Row("validation PSNR (dB)", ValidationPsnr is double p ? Math.Round(p, 3) : null);
        Row("validation ΔE_ITP", ValidationDeltaEItp is double d ? Math.Round(d, 3) : null);
        Row("weights", WeightsFile);
        Row("created", CreatedUtc);
        Row("notes", Notes);
        return table;
    }

    /// <summary>The card path belonging to a weights file: same folder and stem, extension <c>.card.json</c>.</summary>
    public static string PathFor(string weightsPath) => Path.ChangeExtension(weightsPath, null) + ".card.json";

    /// <summary>Writes the card as indented snake_case JSON.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a card.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a valid card (message names the file and the problem).</exception>
    public static ModelCard Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model card.", path);
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty model card.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid model card ({e.Message}).", e);
        }
    }
}
