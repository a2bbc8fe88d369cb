using HdrUp.Color;
using HdrUp.Bench.Ablation;
using HdrUp.Core;

namespace HdrUp.Bench.Tests;

public class ColourCardTests
{
    private sealed class Perfect(RgbPlanarFrame truth) : IFrameMapper
    {
        public string Name => "perfect";
        public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default) => truth.Clone();
    }

    private sealed class Constant(float value) : IFrameMapper
    {
        public string Name => "grey";
        public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default)
        {
            var f = new RgbPlanarFrame(input.Width, input.Height);
            f.Data.AsSpan().Fill(value);
            return f;
        }
    }

    // 128×96: gap = 128/32 = 4; patch width (128 − 7·4)/6 = 16, grid height 72, patch height (72 − 4·4)/3 = 18.
    // Values: PQ inverse EOTF of the linear channel (1000 cd/m² → 0.7518271, 100 → 0.5080784, 0 → 0; ST 2084).
    [Fact]
    public void Layout_and_values_are_the_designed_ones()
    {
        var card = ColourCard.Generate(128, 96);
        Assert.Equal(18, card.Patches.Count);
        var first = card.Patches[0];
        Assert.Equal(("red 100 cd/m²", 4, 4, 16, 18), (first.Name, first.X, first.Y, first.Width, first.Height));
        var yellow1000 = card.Patches[17];
        Assert.Equal((4 + 5 * 20, 4 + 2 * 22), (yellow1000.X, yellow1000.Y));
        Assert.Equal(0.7518271f, yellow1000.R, 5);
        Assert.Equal(0.7518271f, yellow1000.G, 5);
        Assert.Equal(0f, yellow1000.B, 5);   // PQ(0) = 7.3e-7 (the curve's c1 offset)
        Assert.Equal(0.5080784f, card.Hdr[0, first.Y + 5, first.X + 5], 5);
        Assert.Equal((float)St2084.InverseEotf(ColourCard.BackgroundNits), card.Hdr[1, 1, 1], 6);
        // The SDR is BT.2446 Method C of the HDR: a pure BT.2020 red at 100 cd/m² is out of the BT.709 gamut, red dominates.
        Assert.True(card.Sdr[0, first.Y + 5, first.X + 5] > card.Sdr[1, first.Y + 5, first.X + 5]);
        Assert.Null(card.CompressedSdr);
    }

    // A mapper that returns the ground truth scores 0 everywhere; a flat grey one scores large ΔE_ITP on the patches.
    [Fact]
    public void Perfect_mapper_scores_zero_and_a_flat_one_does_not()
    {
        var card = ColourCard.Generate(64, 64);
        var perfect = ColourCard.Score(new Perfect(card.Hdr), card);
        Assert.Equal(18, perfect.PerPatch.Count);
        Assert.All(perfect.PerPatch, p => Assert.Equal(0, p.DeltaEItp, 9));
        Assert.Equal((0.0, 0.0, 0.0), (perfect.MeanDeltaEItp, perfect.EdgeDeltaEItp, perfect.Ghosting));
        var grey = ColourCard.Score(new Constant(0.5f), card);
        Assert.True(grey.MeanDeltaEItp > 20, $"{grey.MeanDeltaEItp}");
    }

    // With a QP the SDR goes through x265 intra (ffmpeg) and comes back the same size, close to but not equal to the SDR.
    [Fact]
    public void Compressed_card_is_the_sdr_through_x265()
    {
        var card = ColourCard.Generate(64, 64, qp: 37);
        var c = card.CompressedSdr!;
        Assert.Equal((64, 64), (c.Width, c.Height));
        double mad = c.Data.Zip(card.Sdr.Data).Average(p => Math.Abs(p.First - p.Second));
        Assert.InRange(mad, 1e-4, 0.1);
    }
}
