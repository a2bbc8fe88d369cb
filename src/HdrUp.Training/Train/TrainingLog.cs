using System.Globalization;
using HdrUp.Core;

namespace HdrUp.Training.Train;

/// <summary>One CSV row: a training-loss row (mean loss since the previous one) and/or a validation row.</summary>
public sealed record LogRow(long Iteration, double? Loss, double? LearningRate, double? ValPsnr, double? ValDeltaEItp, double Seconds);

/// <summary>
/// <c>train_log.csv</c> (iteration, loss, lr, val_psnr, val_delta_e_itp, seconds; empty = not measured at that row),
/// appended row by row so a killed run keeps its history. Opening for a resumed run drops the rows written after
/// the state being resumed, so the file describes one continuous run.
/// </summary>
public sealed class TrainingLog
{
    public const string Header = "iteration,loss,lr,val_psnr,val_delta_e_itp,seconds";
    private readonly List<LogRow> rows = [];

    private TrainingLog(string path) => Path = path;

    public string Path { get; }
    public IReadOnlyList<LogRow> Rows => rows;

    /// <summary>Opens (or creates) the log, keeping only rows with iteration ≤ <paramref name="keepUpTo"/>.</summary>
    public static TrainingLog Open(string path, long keepUpTo)
    {
        var log = new TrainingLog(path);
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path).Skip(1))
            {
                var row = Parse(line);
                if (row is not null && row.Iteration <= keepUpTo) log.rows.Add(row);
            }
        }
        AtomicFile.Write(path, (string tmp) => File.WriteAllLines(tmp, log.rows.Select(Format).Prepend(Header)));
        return log;
    }

    public void Append(LogRow row)
    {
        rows.Add(row);
        File.AppendAllText(Path, Format(row) + "\n");
    }

    private static string F(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string Format(LogRow r) =>
        $"{r.Iteration},{F(r.Loss, "G6")},{F(r.LearningRate, "G6")},{F(r.ValPsnr, "F4")},{F(r.ValDeltaEItp, "F4")},{r.Seconds.ToString("F1", CultureInfo.InvariantCulture)}";

    private static LogRow? Parse(string line)
    {
        var p = line.Split(',');
        if (p.Length != 6 || !long.TryParse(p[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long it)) return null;
        double? D(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
        return new LogRow(it, D(p[1]), D(p[2]), D(p[3]), D(p[4]), D(p[5]) ?? 0);
    }
}
