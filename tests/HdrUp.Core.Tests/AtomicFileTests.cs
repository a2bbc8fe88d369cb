using System.Collections.Concurrent;

namespace HdrUp.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hdrup-atomic-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Atomic_write_that_fails_leaves_the_old_file_and_no_temporary()
    {
        string path = Path.Combine(_root, "x.state");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, (Stream s) =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    [Fact]
    public void Successful_write_replaces_the_file_and_leaves_no_temporary()
    {
        string path = Path.Combine(_root, "sub", "report.json");
        string? seen = null;
        AtomicFile.Write(path, (string temporary) =>
        {
            seen = temporary;
            File.WriteAllText(temporary, "first");
        });
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.Combine(_root, "sub")));
        // A hidden sibling named after the target and ending in .tmp: no "*.json" pattern picks it up.
        Assert.Equal(Path.Combine(_root, "sub"), Path.GetDirectoryName(seen));
        Assert.StartsWith(".report.json.", Path.GetFileName(seen));
        Assert.EndsWith(AtomicFile.TemporarySuffix, seen);
    }

    [Fact]
    public void Concurrent_writers_get_distinct_temporaries_and_the_file_is_one_of_them_whole()
    {
        string path = Path.Combine(_root, "shared.bin");
        var temporaries = new ConcurrentBag<string>();
        const int writers = 16, size = 64 * 1024;
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, i =>
            AtomicFile.Write(path, (string temporary) =>
            {
                temporaries.Add(temporary);
                File.WriteAllBytes(temporary, Enumerable.Repeat((byte)i, size).ToArray());
            }));
        Assert.Equal(writers, temporaries.Distinct().Count());
        byte[] result = File.ReadAllBytes(path);
        Assert.Equal(size, result.Length);
        // Whole content of a single writer, never a mix of two.
        Assert.All(result, b => Assert.Equal(result[0], b));
        Assert.InRange(result[0], 0, writers - 1);
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    [Fact]
    public void Pending_file_for_an_external_writer_commits_by_rename()
    {
        string path = Path.Combine(_root, "out.mkv");
        File.WriteAllText(path, "old");
        using (var pending = AtomicFile.Begin(path))
        {
            Assert.False(File.Exists(pending.TemporaryPath));
            File.WriteAllText(pending.TemporaryPath, "new");
            Assert.Equal("old", File.ReadAllText(path));
            pending.Commit();
            Assert.True(pending.IsCommitted);
            Assert.Equal(path, pending.Path);
        }
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    [Fact]
    public void Pending_file_disposed_without_commit_deletes_the_partial_output_and_keeps_the_old_file()
    {
        string path = Path.Combine(_root, "out.mkv");
        File.WriteAllText(path, "old");
        string temporary;
        using (var pending = AtomicFile.Begin(path))
        {
            temporary = pending.TemporaryPath;
            File.WriteAllText(temporary, "half an encode");
        }
        Assert.False(File.Exists(temporary));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_root));
    }

    [Fact]
    public void Commit_without_output_fails_naming_the_file_and_keeps_the_old_one()
    {
        string path = Path.Combine(_root, "part.mkv");
        File.WriteAllText(path, "old");
        using var pending = AtomicFile.Begin(path);
        var e = Assert.Throws<FileNotFoundException>(pending.Commit);
        Assert.Equal("part.mkv: nothing was written", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Move_into_place_replaces_the_target_and_removes_the_staged_file()
    {
        string staged = Path.Combine(_root, ".staging", "000000.png");
        Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
        File.WriteAllText(staged, "frame");
        string path = Path.Combine(_root, "train_sdr", "qp37", "0000_a.png");
        AtomicFile.MoveIntoPlace(staged, path);
        Assert.Equal("frame", File.ReadAllText(path));
        Assert.False(File.Exists(staged));

        File.WriteAllText(staged, "again");
        AtomicFile.MoveIntoPlace(staged, path);
        Assert.Equal("again", File.ReadAllText(path));
    }
}
