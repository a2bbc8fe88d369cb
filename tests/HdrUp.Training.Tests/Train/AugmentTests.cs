using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Training.Train;

namespace HdrUp.Training.Tests.Train;

public class AugmentTests
{
    // The 2×3 patch [[1 2 3] [4 5 6]] under numpy's official ops, applied in this order:
    // hflip = img[:, ::-1], vflip = img[::-1, :], transpose = img.transpose(1, 0, 2). Expected outputs written out by hand.
    [Theory]
    [InlineData(false, false, false, 2, 3, new float[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData(true, false, false, 2, 3, new float[] { 3, 2, 1, 6, 5, 4 })]
    [InlineData(false, true, false, 2, 3, new float[] { 4, 5, 6, 1, 2, 3 })]
    [InlineData(true, true, false, 2, 3, new float[] { 6, 5, 4, 3, 2, 1 })]
    [InlineData(false, false, true, 3, 2, new float[] { 1, 4, 2, 5, 3, 6 })]
    [InlineData(true, false, true, 3, 2, new float[] { 3, 6, 2, 5, 1, 4 })]
    [InlineData(false, true, true, 3, 2, new float[] { 4, 1, 5, 2, 6, 3 })]
    [InlineData(true, true, true, 3, 2, new float[] { 6, 3, 5, 2, 4, 1 })]
    public void Known_patch_under_each_flip_transpose_combination(bool h, bool v, bool t, int outH, int outW, float[] expected)
    {
        // Three channels offset by 10 and 20, so a channel mix-up would show.
        float[] source = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26];
        var dest = new float[18];
        Augment.Apply(source, 3, 2, 3, h, v, t, dest);
        Assert.Equal(6, outH * outW);
        for (int c = 0; c < 3; c++)
            Assert.Equal(expected.Select(e => e + 10 * c), dest.Skip(6 * c).Take(6));
    }

    [Fact]
    public void Sampler_applies_the_same_crop_and_augmentation_to_LQ_and_GT()
    {
        // GT code = 257·LQ code makes GT/65535 and LQ/255 the same float, so any difference in crop or
        // flip between the two would show as unequal buffers. Pixel values are unique per position and channel.
        const int w = 10, h = 8; // 240 values: unique 8-bit codes per position and channel
        var lq = new RgbPlanarFrame(w, h);
        var gt = new RgbPlanarFrame(w, h);
        for (int i = 0; i < lq.Data.Length; i++) { lq.Data[i] = i / 255f; gt.Data[i] = 257 * i / 65535f; }
        var data = PairedImages.FromFrames([gt], [lq]);
        var sampler = new PatchSampler(data, new TrainDataOptions { GtSize = 6, BatchSize = 1 }, seed: 10);
        var lqBatch = new float[3 * 36];
        var gtBatch = new float[3 * 36];
        var seen = new HashSet<(bool, bool, bool)>();
        for (long b = 0; b < 200; b++)
        {
            sampler.Fill(b, lqBatch, gtBatch);
            Assert.Equal(lqBatch, gtBatch);
            var d = sampler.Draw(b)[0];
            seen.Add((d.Hflip, d.Vflip, d.Transpose));
            // And the batch is the crop at the drawn offset, augmented as Augment does.
            var crop = new float[3 * 36];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 6; y++)
                    for (int x = 0; x < 6; x++)
                        crop[(c * 6 + y) * 6 + x] = lq[c, d.Top + y, d.Left + x];
            var expected = new float[3 * 36];
            Augment.Apply(crop, 3, 6, 6, d.Hflip, d.Vflip, d.Transpose, expected);
            Assert.Equal(expected, lqBatch);
        }
        // Three fair coins: in 200 draws all 8 combinations appear (each missing with probability (7/8)^200 ≈ 3·10⁻¹²).
        Assert.Equal(8, seen.Count);
    }

    [Fact]
    public void Crop_offsets_are_uniform_over_the_inclusive_range()
    {
        // 10×12 frame, crop 8: top ∈ {0, 1, 2}, left ∈ {0 … 4} (official: randint(0, H − crop) inclusive).
        var f = new RgbPlanarFrame(12, 10);
        var data = PairedImages.FromFrames([f, f, f], [f, f, f]);
        var sampler = new PatchSampler(data, new TrainDataOptions { GtSize = 8, BatchSize = 3 }, seed: 10);
        var tops = new int[3];
        var lefts = new int[5];
        const int batches = 4000;
        for (long b = 0; b < batches; b++)
            foreach (var d in sampler.Draw(b))
            {
                Assert.InRange(d.Top, 0, 2);
                Assert.InRange(d.Left, 0, 4);
                tops[d.Top]++;
                lefts[d.Left]++;
            }
        // 12,000 samples: expected 4,000 per top and 2,400 per left; ±10 % is > 7 standard deviations.
        foreach (int n in tops) Assert.InRange(n, 3600, 4400);
        foreach (int n in lefts) Assert.InRange(n, 2160, 2640);
    }

    [Fact]
    public void Each_epoch_visits_every_pair_once_and_the_order_depends_only_on_seed_and_batch()
    {
        var f = new RgbPlanarFrame(8, 8);
        var frames = Enumerable.Repeat(f, 7).ToArray();
        var data = PairedImages.FromFrames(frames, frames);
        var options = new TrainDataOptions { GtSize = 8, BatchSize = 2 };
        var a = new PatchSampler(data, options, seed: 10);
        // 7 pairs, batch 2, drop_last: 3 batches per epoch cover 6 distinct pairs.
        Assert.Equal(3, a.BatchesPerEpoch);
        var epoch0 = Enumerable.Range(0, 3).SelectMany(b => a.Draw(b)).Select(d => d.Index).ToList();
        Assert.Equal(6, epoch0.Distinct().Count());
        // A fresh sampler asked for batch 4 directly (as after a resume) gives what the first one gives.
        var b2 = new PatchSampler(data, options, seed: 10);
        Assert.Equal(a.Draw(4), b2.Draw(4));
        Assert.NotEqual(a.Draw(4), new PatchSampler(data, options, seed: 11).Draw(4));
    }
}

public class PairedImagesTests
{
    // An 8-bit GT (an SDR target: artefact removal) loads as exactly code/255, like the 8-bit LQ; a 16-bit LQ is refused
    // with the file named.
    [Fact]
    public void Eight_bit_gt_reads_back_exactly_and_a_16_bit_lq_is_refused()
    {
        using var pairs = new SyntheticPairs(count: 1, width: 8, height: 8);
        string sdrGt = Directory.CreateDirectory(Path.Combine(pairs.Root, "sdr-gt")).FullName;
        var codes = Enumerable.Range(0, 3 * 64).Select(i => (byte)(i * 37 % 256)).ToArray();
        SyntheticPairs.WriteLq(Path.Combine(sdrGt, Path.GetFileName(PairedImages.ListPngs(pairs.GtDir)[0])), codes, 8, 8);

        var loaded = PairedImages.Load(sdrGt, pairs.LqDir);
        var (_, gt) = loaded.Frame(0);
        Assert.Equal(codes.Select(c => c / 255f), gt.Data);

        var error = Assert.Throws<AggregateException>(() => PairedImages.Load(pairs.GtDir, pairs.GtDir));
        Assert.Contains("LQ must be an 8-bit PNG (is 16-bit)", Assert.Single(error.Flatten().InnerExceptions).Message);
    }
}
