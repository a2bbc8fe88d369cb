namespace HdrUp.Core.Tests;

public class AtomicFileTests
{
    [Fact]
    public void Atomic_write_that_fails_leaves_the_old_file_and_no_temporary()
    {
        string root = Directory.CreateTempSubdirectory("hdrup-atomic-").FullName;
        string path = Path.Combine(root, "x.state");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, (Stream s) =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(root));
    }
}
