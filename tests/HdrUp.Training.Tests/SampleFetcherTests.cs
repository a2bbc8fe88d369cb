using System.Text;
using HdrUp.Core;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

// The download itself needs the registries and is not run here (CI may be offline).
public class SampleFetcherTests
{
    [Fact]
    public void Decodes_the_pmndrs_data_uri_module()
    {
        // The form of @pmndrs/assets 1.7.0 hdri/*.exr.js: an ES module exporting a base64 data URI.
        // "v/1\x01" is the OpenEXR magic number 20000630 little-endian.
        byte[] payload = [0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0];
        string js = $"export default 'data:application/exr;base64,{Convert.ToBase64String(payload)}'\n";
        Assert.Equal(payload, SampleFetcher.DecodeDataUriModule("x.exr.js", js));
        Assert.Throws<InvalidDataException>(() => SampleFetcher.DecodeDataUriModule("x.exr.js", "export default 42"));
    }

    [Theory]
    // The rule: keep a panorama when log2(peak/median) ≥ 6 stops. Values from the measured
    // @pmndrs/assets 1.7.0 set: venice 4.2 and apartment 4.9 fail, city 6.5 passes.
    [InlineData(4.2, SourceRole.Excluded)]
    [InlineData(4.9, SourceRole.Excluded)]
    [InlineData(6.0, SourceRole.Train)]
    [InlineData(6.5, SourceRole.Train)]
    public void Panorama_rule(double stops, SourceRole expected) =>
        Assert.Equal(expected, SampleFetcher.PanoramaRule(new SourceStats(Math.Pow(2, stops), 1, stops, 10)).Role);

    [Fact]
    public void Measures_peak_median_and_robust_range()
    {
        // 2000 pixels: 1999 at luminance 1 and one at 64 → peak 64, median 1, 6 stops; the nearest-rank
        // P99.9 (rank 1998 of 2000) and P0.1 are both 1 → 0 stops: one hot pixel does not count as range.
        var f = new HdrUp.Core.RgbPlanarFrame(2000, 1);
        Array.Fill(f.Data, 1f);
        for (int c = 0; c < 3; c++) f[c, 0, 500] = 64f;
        var s = SampleFetcher.Measure(f);
        Assert.Equal(64, s.Peak, 4);
        Assert.Equal(1, s.Median, 4);
        Assert.Equal(6, s.PeakOverMedianStops, 4);
        Assert.Equal(0, s.DynamicRangeStops, 4);
    }
}
