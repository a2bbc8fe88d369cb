using HdrUp.Conversion;
using HdrUp.Media;

namespace HdrUp.Conversion.Tests;

public class ConvertSessionTests
{
    [Fact]
    public void DefaultOutput_SitsBesideTheInput_WithThePartNumberForASegment()
    {
        string input = Path.Combine(Path.GetTempPath(), "clips", "city.mp4");
        Assert.Equal(Path.Combine(Path.GetTempPath(), "clips", "city-hdr10.mkv"), ConvertSession.DefaultOutput(input, null));
        Assert.Equal(Path.Combine(Path.GetTempPath(), "clips", "city-part002of010.mkv"), ConvertSession.DefaultOutput(input, SegmentSpec.Parse("2/10")));
    }

    [Theory]
    [InlineData(-1, 1000, HdrTransfer.Pq, "--crf -1: must be between 0 and 51")]
    [InlineData(52, 1000, HdrTransfer.Pq, "--crf 52: must be between 0 and 51")]
    [InlineData(18, 99.5, HdrTransfer.Pq, "--peak 99.5: must be between 100 and 10000 cd/m²")]
    [InlineData(18, 10001, HdrTransfer.Pq, "--peak 10001: must be between 100 and 10000 cd/m²")]
    [InlineData(18, 1200, HdrTransfer.Hlg, "--transfer hlg with --peak 1200: HLG is converted for a 1000 cd/m² display; use --peak 1000 or less")]
    public void EncodeSettings_RefuseWhatTheEncoderOrTheTransferCannotDo(int crf, double peak, HdrTransfer transfer, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => EncodeSettings.Check(crf, peak, transfer));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void EncodeSettings_AcceptTheLimits_AndDescribeTheTransfer()
    {
        EncodeSettings.Check(0, 100, HdrTransfer.Pq);
        EncodeSettings.Check(51, 10000, HdrTransfer.Pq);
        EncodeSettings.Check(18, 1000, HdrTransfer.Hlg);
        var rows = EncodeSettings.TransferRows(HdrTransfer.Hlg, new ContentLightLevel(870, 120)).ToDictionary(r => r.Label, r => r.Value);
        Assert.StartsWith("HLG (arib-std-b67)", rows["transfer"]);
        Assert.Contains("HLG carries no light level metadata", rows["light level"]);
        Assert.Equal("HDR10 file", EncodeSettings.FileLabel(HdrTransfer.Pq));
    }

    [Fact]
    public void Open_RefusesHlgParts_BeforeTouchingTheInput()
    {
        var order = new ConvertOrder
        {
            Input = "/no/such/clip.mp4", Segment = SegmentSpec.Parse("1/2"), Transfer = HdrTransfer.Hlg,
            Mapping = new MappingRequest { Method = MappingMethod.Bt2408 },
        };
        var error = Assert.Throws<ArgumentException>(() => ConvertSession.Open(order));
        Assert.StartsWith("--transfer with --segment", error.Message);
    }
}
