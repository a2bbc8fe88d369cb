using HdrUp.Training.Train;

namespace HdrUp.Training.Tests.Train;

public sealed class TrainingLogTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-train-log-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static readonly string RealLog = Path.Combine(AppContext.BaseDirectory, "TestData", "train_log-kpnet_half_nf32_qp37_degraded_distill.csv");

    private string Copy()
    {
        string path = Path.Combine(dir, $"train_log-{Guid.NewGuid():N}.csv");
        File.Copy(RealLog, path);
        return path;
    }

    // A real run's log (60 loss rows, 3 validation rows) reads with its values, and opening it to resume at its last
    // iteration rewrites it byte for byte: the columns, their order and the number formats are the old writer's.
    [Fact]
    public void A_real_log_reads_and_reopens_unchanged()
    {
        var rows = TrainingLog.Read(RealLog);
        Assert.Equal(63, rows.Count);
        Assert.Equal(new LogRow(50, 0.035403, 0.0001, null, null, 7.8), rows[0]);
        Assert.Equal(new LogRow(1000, null, null, 27.8036, 43.9251, 156.0), rows.Single(r => r.Iteration == 1000 && r.ValPsnr is not null));
        Assert.Equal(new LogRow(3000, 0.0282501, 5e-5, null, null, 428.5), rows[^2]);

        string path = Copy();
        var log = TrainingLog.Open(path, keepUpTo: 3000);
        Assert.Equal(rows, log.Rows);
        Assert.Equal(File.ReadAllText(RealLog), File.ReadAllText(path));
    }

    // Resuming from iteration 1000 drops the later rows; appended rows follow in the same format (loss and lr G6,
    // validation F4, seconds F1) and read back as written.
    [Fact]
    public void Resuming_drops_later_rows_and_appends_in_the_same_format()
    {
        string path = Copy();
        var log = TrainingLog.Open(path, keepUpTo: 1000);
        Assert.Equal(21, log.Rows.Count);
        log.Append(new LogRow(1050, 0.0123456789, 1e-4, null, null, 160.04));
        log.Append(new LogRow(1100, null, null, 28.123456, double.NaN, 170));
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("iteration,loss,lr,val_psnr,val_delta_e_itp,seconds", lines[0]);
        Assert.Equal(["1000,,,27.8036,43.9251,156.0", "1050,0.0123457,0.0001,,,160.0", "1100,,,28.1235,NaN,170.0"], lines[^3..]);
        Assert.Equal([new LogRow(1050, 0.0123457, 0.0001, null, null, 160.0), new LogRow(1100, null, null, 28.1235, double.NaN, 170.0)],
            TrainingLog.Read(path)[^2..]);
    }

    // A run killed mid-append leaves a short last line: the resumed run drops it instead of failing.
    [Fact]
    public void A_line_cut_short_by_a_killed_run_is_dropped()
    {
        string path = Copy();
        File.AppendAllText(path, "3050,0.02");
        var log = TrainingLog.Open(path, keepUpTo: long.MaxValue);
        Assert.Equal(63, log.Rows.Count);
        Assert.Equal(File.ReadAllText(RealLog), File.ReadAllText(path));
    }
}
