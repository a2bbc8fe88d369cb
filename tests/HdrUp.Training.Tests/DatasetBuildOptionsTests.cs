using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

public class DatasetBuildOptionsTests
{
    [Theory]
    [InlineData("256", 256, 256)]
    [InlineData("320x192", 320, 192)]
    [InlineData("320X192", 320, 192)]
    public void ParseSize_ReadsNOrWxH(string text, int width, int height) =>
        Assert.Equal((width, height), DatasetBuildOptions.ParseSize(text));

    [Theory]
    [InlineData("256x")]
    [InlineData("a")]
    [InlineData("1x2x3")]
    public void ParseSize_RefusesAnythingElse_NamingTheOption(string text) =>
        Assert.Equal($"--size: '{text}' is not N or WxH.", Assert.Throws<ArgumentException>(() => DatasetBuildOptions.ParseSize(text)).Message);

    [Fact]
    public void ParseQps_ReadsACommaList_AndNamesABadEntry()
    {
        Assert.Equal([32, 37, 47], DatasetBuildOptions.ParseQps(" 32, 37,,47 "));
        Assert.Equal("--qp: 'x' is not an integer QP.", Assert.Throws<ArgumentException>(() => DatasetBuildOptions.ParseQps("32,x")).Message);
    }
}
