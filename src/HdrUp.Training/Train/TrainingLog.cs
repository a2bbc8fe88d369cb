using System.Globalization;
using HdrUp.Core;
using nietras.SeparatedValues;

namespace HdrUp.Training.Train;

/// <summary>One CSV row: a training-loss row (mean loss since the previous one) and/or a validation row.</summary>
public sealed record LogRow(long Iteration, double? Loss, double? LearningRate, double? ValPsnr, double? ValDeltaEItp, double Seconds);

/// <summary>
/// <c>train_log.csv</c> (<see cref="Columns"/>; an empty field = not measured at that row),
/// appended row by row so a killed run keeps its history. Opening for a resumed run drops the rows written after
/// the state being resumed, so the file describes one continuous run.
/// </summary>
public sealed class TrainingLog
{
    /// <summary>The columns, in their order.</summary>
    public static readonly string[] Columns = ["iteration", "loss", "lr", "val_psnr", "val_delta_e_itp", "seconds"];
    private readonly List<LogRow> rows = [];

    private TrainingLog(string path) => Path = path;

    public string Path { get; }
    public IReadOnlyList<LogRow> Rows => rows;

    /// <summary>Opens (or creates) the log, keeping only rows with iteration ≤ <paramref name="keepUpTo"/>.</summary>
    public static TrainingLog Open(string path, long keepUpTo)
    {
        var log = new TrainingLog(path);
        if (File.Exists(path)) log.rows.AddRange(Read(path).Where(r => r.Iteration <= keepUpTo));
        AtomicFile.WriteAllText(path, Format(log.rows, writeHeader: true));
        return log;
    }

    /// <summary>
    /// The rows of a log. A run killed while appending can leave its last line cut short; such a line, and any
    /// without an iteration, is skipped rather than failing the resumed run.
    /// </summary>
    public static List<LogRow> Read(string path)
    {
        using var reader = CsvTable.FromFile(path, uneven: true);
        if (reader.Header.IsEmpty) return [];
        foreach (string column in Columns)
            if (!reader.Header.TryIndexOf(column, out _)) throw new InvalidDataException($"{path}: no '{column}' column, not a train log");
        return reader.Enumerate((SepReader.Row r, out LogRow row) =>
        {
            row = null!;
            if (r.ColCount != Columns.Length || !long.TryParse(r["iteration"].Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out long it))
                return false;
            row = new LogRow(it, Number(r["loss"]), Number(r["lr"]), Number(r["val_psnr"]), Number(r["val_delta_e_itp"]), Number(r["seconds"]) ?? 0);
            return true;
        }).ToList();
    }

    public void Append(LogRow row)
    {
        rows.Add(row);
        File.AppendAllText(Path, Format([row], writeHeader: false));
    }

    private static string Format(IEnumerable<LogRow> rows, bool writeHeader)
    {
        using var csv = CsvTable.ToText(Columns, writeHeader);
        foreach (var r in rows)
        {
            using var row = csv.NewRow();
            row["iteration"].Format(r.Iteration);
            // Empty = not measured at this row; the formats are those of every log written so far.
            row["loss"].Set(F(r.Loss, "G6"));
            row["lr"].Set(F(r.LearningRate, "G6"));
            row["val_psnr"].Set(F(r.ValPsnr, "F4"));
            row["val_delta_e_itp"].Set(F(r.ValDeltaEItp, "F4"));
            row["seconds"].Format(r.Seconds, "F1");
        }
        return csv.ToString();
    }

    private static double? Number(SepReader.Col field) =>
        double.TryParse(field.Span, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    private static string F(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "";
}
