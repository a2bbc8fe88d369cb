using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

public sealed class SdrDegradationTests
{
    // A grey ramp from 0.05 to 4 000 cd/m² (log steps) plus saturated colours around reference white, as PQ BT.2020.
    private static RgbPlanarFrame Ramp(out int greys)
    {
        greys = 64;
        var colours = new (double R, double G, double B)[] { (180, 40, 30), (30, 150, 40), (40, 60, 200), (150, 150, 20), (203, 203, 203) };
        var f = new RgbPlanarFrame(greys + colours.Length, 1);
        int n = f.PixelCount;
        for (int i = 0; i < greys; i++)
        {
            double l = 0.05 * Math.Pow(4000 / 0.05, i / (greys - 1.0));
            for (int c = 0; c < 3; c++) f.Data[c * n + i] = (float)St2084.InverseEotf(l);
        }
        for (int k = 0; k < colours.Length; k++)
        {
            var (r, g, b) = ColourSpaces.Bt709ToBt2020.Transform(colours[k].R, colours[k].G, colours[k].B);
            f.Data[greys + k] = (float)St2084.InverseEotf(r);
            f.Data[n + greys + k] = (float)St2084.InverseEotf(g);
            f.Data[2 * n + greys + k] = (float)St2084.InverseEotf(b);
        }
        return f;
    }

    public static TheoryData<ToneOperator> Operators() => new(Enum.GetValues<ToneOperator>());

    [Theory]
    [MemberData(nameof(Operators))]
    public void Every_operator_maps_greys_to_monotonic_neutral_codes_and_reference_white_to_a_usable_level(ToneOperator op)
    {
        var hdr = Ramp(out int greys);
        var sdr = SdrDegradation.Render(hdr, new SdrRecipe { Operator = op });
        int n = sdr.PixelCount;
        Assert.All(sdr.Data, v => Assert.InRange(v, 0f, 1f));
        float previous = -1;
        for (int i = 0; i < greys; i++)
        {
            float r = sdr.Data[i], g = sdr.Data[n + i], b = sdr.Data[2 * n + i];
            // A neutral stays neutral (the BT.2020 → BT.709 round trip leaves float noise only)…
            Assert.True(Math.Abs(r - g) < 2e-4 && Math.Abs(b - g) < 2e-4, $"{op}: grey {i} became ({r}, {g}, {b})");
            // …and brighter light never gives a darker code (the local operator sees a flat-free 1-pixel-high ramp, so it holds there too).
            Assert.True(g >= previous - 1e-5, $"{op}: code fell from {previous} to {g} at grey {i}");
            previous = g;
        }
        // BT.2408 reference white (203 cd/m²) is neither black nor clipped white in any grade at exposure 0.
        float white = sdr.Data[n + greys + 4];
        Assert.InRange(white, 0.45f, 1f);
    }

    [Fact]
    public void Paper_recipe_is_exactly_BT2446_method_C()
    {
        var hdr = Ramp(out _);
        var expected = Bt2446C.ToSdr(hdr, HdrEncoding.Pq);
        Assert.Equal(expected.Data, SdrDegradation.Render(hdr, SdrRecipe.Paper).Data);
    }

    [Fact]
    public void Filmic_and_Hable_curves_match_their_published_forms()
    {
        // Narkowicz 2015: f(x) = x(2.51x + 0.03) / (x(2.43x + 0.59) + 0.14); at 0.8 (reference white here) f = 0.6726.
        var one = new RgbPlanarFrame(1, 1, [(float)St2084.InverseEotf(203), (float)St2084.InverseEotf(203), (float)St2084.InverseEotf(203)]);
        var filmic = SdrDegradation.Render(one, new SdrRecipe { Operator = ToneOperator.FilmicChannel, Encoding = SdrEncoding.Gamma22 });
        double x = 0.8, expected = x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14);
        Assert.Equal(Math.Pow(expected, 1 / 2.2), filmic.Data[1], 3);
        // Hable (Uncharted 2, A..F = 0.15, 0.50, 0.10, 0.20, 0.02, 0.30, W = 11.2) and Drago are exposed so that reference
        // white lands at 0.75 and 0.6 linear (their textbook defaults would put it at 0.43 and 0.27).
        var hable = SdrDegradation.Render(one, new SdrRecipe { Operator = ToneOperator.HableChannel, Encoding = SdrEncoding.Gamma22 });
        Assert.Equal(Math.Pow(SdrDegradation.CrossWhiteLevel, 1 / 2.2), hable.Data[1], 4);
        var ramp = Ramp(out int greys);
        var drago = SdrDegradation.Render(ramp, new SdrRecipe { Operator = ToneOperator.DragoLuminance, Encoding = SdrEncoding.Gamma22 });
        Assert.Equal(Math.Pow(0.6, 1 / 2.2), drago.Data[ramp.PixelCount + greys + 4], 3);
    }

    [Fact]
    public void Training_draws_are_seeded_varied_and_never_use_the_cross_grading_family()
    {
        Assert.Equal(SdrDegradation.DrawTraining("0001_a.png", 10), SdrDegradation.DrawTraining("0001_a.png", 10));
        Assert.NotEqual(SdrDegradation.DrawTraining("0001_a.png", 10), SdrDegradation.DrawTraining("0001_a.png", 11));
        var draws = Enumerable.Range(0, 3000).Select(i => SdrDegradation.DrawTraining($"{i:0000}_view.png", 10)).ToList();
        Assert.Equal(SdrDegradation.TrainingOperators.Select(o => o.Operator).Order(), draws.Select(d => d.Operator).Distinct().Order());
        Assert.Equal(SdrDegradation.TrainingCodecs.Select(c => c.Codec).Order(), draws.Select(d => d.Codec).Distinct().Order());
        Assert.DoesNotContain(draws, d => SdrDegradation.CrossOperators.Contains(d.Operator) || SdrDegradation.CrossCodecs.Contains(d.Codec));
        // Weights hold: Method C is drawn for about 20 % of frames (±3 %).
        Assert.InRange(draws.Count(d => d.Operator == ToneOperator.Bt2446C) / 3000.0, 0.17, 0.23);
        Assert.All(draws, d => Assert.InRange(d.SceneSaturation, 0.7, 1.4));
        Assert.Contains(draws, d => d.Scale < 1);
    }

    [Fact]
    public void Paper_share_makes_that_share_of_frames_exactly_paper_style_and_leaves_the_others_as_drawn()
    {
        var names = Enumerable.Range(0, 3000).Select(i => $"{i:0000}_view.png").ToList();
        var mixed = names.Select(n => SdrDegradation.DrawTraining(n, 10, paperShare: 0.35)).ToList();
        var family = names.Select(n => SdrDegradation.DrawTraining(n, 10)).ToList();
        int paper = mixed.Count(r => r == SdrRecipe.Paper);
        // 35 % decided for the paper recipe, plus the rare family draw that happens to equal it (never: exposure is continuous).
        Assert.InRange(paper / 3000.0, 0.32, 0.38);
        Assert.All(names.Index().Where(t => mixed[t.Index] != SdrRecipe.Paper), t => Assert.Equal(family[t.Index], mixed[t.Index]));
        Assert.All(names, n => Assert.Equal(SdrRecipe.Paper, SdrDegradation.DrawTraining(n, 10, paperShare: 1)));
    }

    [Fact]
    public void Cross_split_cycles_through_all_held_out_operator_and_codec_pairs()
    {
        var six = Enumerable.Range(0, 6).Select(SdrDegradation.Cross).Select(r => (r.Operator, r.Codec)).ToHashSet();
        Assert.Equal(6, six.Count);
        Assert.All(six, p => Assert.Contains(p.Operator, SdrDegradation.CrossOperators));
        Assert.All(six, p => Assert.Contains(p.Codec, SdrDegradation.CrossCodecs));
    }

    [Theory]
    // VP9 at the same place on its 0–63 scale as the QP on HEVC's 0–51.
    [InlineData(32, 40)]
    [InlineData(37, 46)]
    [InlineData(42, 52)]
    [InlineData(47, 58)]
    public void Vp9_quality_follows_the_QP(int qp, int crf) => Assert.Equal(crf, SdrDegradation.Vp9Crf(qp));

    [Theory]
    // MPEG quantiser scale whose step (2·qscale) matches H.264/HEVC's 2^((QP − 4)/6): 25.4 → 13, 45.3 → 23, then the 31 ceiling.
    [InlineData(32, "13")]
    [InlineData(37, "23")]
    [InlineData(42, "31")]
    public void Mpeg2_quantiser_scale_follows_the_QP(int qp, string qscale)
    {
        var args = SdrDegradation.EncoderArgs(SdrCodec.Mpeg2, qp, "medium");
        Assert.Equal(qscale, args[args.IndexOf("-qscale:v") + 1]);
    }

    [Fact]
    public void Scene_variation_scales_red_and_blue_and_keeps_luminance_under_saturation_change()
    {
        var f = new RgbPlanarFrame(1, 1, [0.5f, 0.25f, 0.125f]);
        SdrDegradation.ApplyScene(f, new SdrRecipe { SceneSaturation = 1.0, SceneRedGain = 2, SceneBlueGain = 0.5 });
        Assert.Equal([1f, 0.25f, 0.0625f], f.Data);
        var g = new RgbPlanarFrame(1, 1, [0.5f, 0.25f, 0.125f]);
        double y0 = 0.2126 * 0.5 + 0.7152 * 0.25 + 0.0722 * 0.125;
        SdrDegradation.ApplyScene(g, new SdrRecipe { SceneSaturation = 0.5 });
        Assert.Equal(y0, 0.2126 * g.Data[0] + 0.7152 * g.Data[1] + 0.0722 * g.Data[2], 6);
        Assert.Equal((0.5 - y0) * 0.5 + y0, g.Data[0], 6);
    }
}
