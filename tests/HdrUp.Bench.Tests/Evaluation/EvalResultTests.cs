using HdrUp.Bench.Evaluation;
using HdrUp.Core;
using HdrUp.Metrics;
using nietras.SeparatedValues;

namespace HdrUp.Bench.Tests.Evaluation;

public class EvalResultTests
{
    // eval --csv: the columns as before; a frame file named with a comma and quotes is one quoted field and reads back
    // whole; unmeasured values (no ΔE_ITP, PU21 or colour here) are empty, identical frames' PSNR is Infinity.
    [Fact]
    public void Csv_quotes_frame_names_and_leaves_unmeasured_values_empty()
    {
        var result = new EvalResult(new EvalRequest("pred", "gt", "sdr", MetricOptions.Paper),
        [
            new EvalFrame("frame, \"a\".png", new FrameMetrics(double.PositiveInfinity, 0, 1, null, null), null),
            new EvalFrame("b.png", new FrameMetrics(30.5, 0.001, 0.95, 12.5, 33.1), new ColourFidelity(0.12, 1.017, 100)),
        ], null, null);

        string csv = result.Csv();

        Assert.Equal("frame,psnr,mse,ssim,delta_e_itp,pu21_psnr,hue_drift_deg,chroma_ratio\n" +
                     "\"frame, \"\"a\"\".png\",Infinity,0,1,,,,\n" +
                     "b.png,30.5,0.001,0.95,12.5,33.1,0.12,1.017\n", csv);
        using var reader = CsvTable.FromText(csv);
        Assert.Equal(["frame, \"a\".png", "b.png"], reader.Enumerate(r => r["frame"].ToString()));
    }
}
