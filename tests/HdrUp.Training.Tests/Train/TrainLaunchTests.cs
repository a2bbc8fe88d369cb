using HdrUp.Training.Train;

namespace HdrUp.Training.Tests.Train;

public class TrainLaunchTests
{
    [Fact]
    public void Resolve_NeedsARecipeOrAStateToResume()
    {
        Assert.Equal("--options FILE is required (or --resume to continue a run).",
            Assert.Throws<ArgumentException>(() => TrainLaunch.Resolve(null, null, null, o => o)).Message);
        Assert.Equal("--resume without a file needs --out or --options to find the run.",
            Assert.Throws<ArgumentException>(() => TrainLaunch.Resolve(null, "", null, o => o)).Message);
    }

    [Fact]
    public void Resolve_FindsNoStateInAnEmptyRunFolder_AndNamesIt()
    {
        string run = Directory.CreateTempSubdirectory("hdrup-launch-").FullName;
        try
        {
            var error = Assert.Throws<FileNotFoundException>(() => TrainLaunch.Resolve(null, "", run, o => o));
            Assert.Equal($"{Path.Combine(run, "training_states")}: no training state to resume.", error.Message);
        }
        finally { Directory.Delete(run, true); }
    }
}
