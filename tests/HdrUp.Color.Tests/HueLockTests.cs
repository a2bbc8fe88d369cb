using HdrUp.Core;

namespace HdrUp.Color.Tests;

public class HueLockTests
{
    private static RgbPlanarFrame Pixel(double r, double g, double b) => new(1, 1, [(float)r, (float)g, (float)b]);

    private static (double R, double G, double B) Linear(RgbPlanarFrame pq) =>
        (St2084.Eotf(pq.Data[0]), St2084.Eotf(pq.Data[1]), St2084.Eotf(pq.Data[2]));

    private static double Luminance((double R, double G, double B) c) => 0.2627 * c.R + 0.6780 * c.G + 0.0593 * c.B;

    [Fact]
    public void A_chromatic_pixel_gets_the_inputs_chromaticity_at_the_networks_luminance()
    {
        // SDR orange (0.8, 0.5, 0.2); the "network" made it a bright, washed-out, bluer colour.
        var sdr = Pixel(0.8, 0.5, 0.2);
        var (nr, ng, nb) = (600.0, 520.0, 480.0);
        var network = Pixel(St2084.InverseEotf(nr), St2084.InverseEotf(ng), St2084.InverseEotf(nb));
        var locked = Linear(HueLock.Apply(sdr, network));
        var placed = Linear(new Bt2408SdrMapper().Map(sdr));
        // Light: the network's luminance (to PQ's float32 precision, ~1e-4 relative here).
        Assert.Equal(Luminance((nr, ng, nb)), Luminance(locked), 0.2);
        // Colour: the BT.2408 placement scaled, i.e. the same ratios of R, G and B.
        Assert.Equal(placed.R / placed.G, locked.R / locked.G, 3);
        Assert.Equal(placed.B / placed.G, locked.B / locked.G, 3);
    }

    [Fact]
    public void A_grey_input_stays_grey_at_the_networks_luminance()
    {
        var network = Pixel(0.61, 0.55, 0.52);
        var locked = Linear(HueLock.Apply(Pixel(0.5, 0.5, 0.5), network));
        Assert.Equal(locked.R, locked.G, 2);
        Assert.Equal(locked.B, locked.G, 2);
        Assert.Equal(Luminance(Linear(network)), Luminance(locked), 0.05);
    }

    [Fact]
    public void A_clipped_input_keeps_its_hue_and_black_keeps_the_network()
    {
        // A clipped red stays red, however the network coloured it (a fast model turned such reds olive).
        var network = Pixel(0.62, 0.60, 0.40);
        var locked = Linear(HueLock.Apply(Pixel(1.0, 0.1, 0.1), network));
        var placed = Linear(new Bt2408SdrMapper().Map(Pixel(1.0, 0.1, 0.1)));
        Assert.Equal(placed.G / placed.R, locked.G / locked.R, 3);
        Assert.Equal(Luminance(Linear(network)), Luminance(locked), 0.5);
        // Black has no luminance to scale: the network's output passes.
        var black = HueLock.Apply(Pixel(0, 0, 0), network);
        for (int c = 0; c < 3; c++) Assert.Equal(network.Data[c], black.Data[c], 5);
    }

    [Fact]
    public void The_BT2408_placement_locks_to_itself()
    {
        var sdr = new RgbPlanarFrame(3, 1, [0.8f, 0.1f, 0.5f, 0.3f, 0.7f, 0.5f, 0.2f, 0.4f, 0.5f]);
        var placed = new Bt2408SdrMapper().Map(sdr);
        var locked = HueLock.Apply(sdr, placed);
        for (int i = 0; i < placed.Data.Length; i++) Assert.Equal(placed.Data[i], locked.Data[i], 5);
    }

    [Fact]
    public void Frames_of_different_sizes_are_refused() =>
        Assert.Throws<ArgumentException>(() => HueLock.Apply(new RgbPlanarFrame(2, 2), new RgbPlanarFrame(2, 3)));
}
