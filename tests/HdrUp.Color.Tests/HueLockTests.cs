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
        var network = Nits(nr, ng, nb);
        var locked = Linear(HueLock.Apply(sdr, network, ColourLock.Chromaticity));
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
        var locked = Linear(HueLock.Apply(Pixel(0.5, 0.5, 0.5), network, ColourLock.Chromaticity));
        Assert.Equal(locked.R, locked.G, 2);
        Assert.Equal(locked.B, locked.G, 2);
        Assert.Equal(Luminance(Linear(network)), Luminance(locked), 0.05);
    }

    [Fact]
    public void A_clipped_input_keeps_its_hue_and_black_keeps_the_network()
    {
        // A clipped red stays red, however the network coloured it (a fast model turned such reds olive).
        var network = Pixel(0.62, 0.60, 0.40);
        var locked = Linear(HueLock.Apply(Pixel(1.0, 0.1, 0.1), network, ColourLock.Chromaticity));
        var placed = Linear(new Bt2408SdrMapper().Map(Pixel(1.0, 0.1, 0.1)));
        Assert.Equal(placed.G / placed.R, locked.G / locked.R, 3);
        Assert.Equal(Luminance(Linear(network)), Luminance(locked), 0.5);
        // Black has no luminance to scale: the network's output passes.
        var black = HueLock.Apply(Pixel(0, 0, 0), network, ColourLock.Chromaticity);
        for (int c = 0; c < 3; c++) Assert.Equal(network.Data[c], black.Data[c], 5);
    }

    [Fact]
    public void The_BT2408_placement_locks_to_itself()
    {
        var sdr = new RgbPlanarFrame(3, 1, [0.8f, 0.1f, 0.5f, 0.3f, 0.7f, 0.5f, 0.2f, 0.4f, 0.5f]);
        var placed = new Bt2408SdrMapper().Map(sdr);
        foreach (var mode in new[] { ColourLock.Hue, ColourLock.Chromaticity })
        {
            var locked = HueLock.Apply(sdr, placed, mode);
            for (int i = 0; i < placed.Data.Length; i++) Assert.Equal(placed.Data[i], locked.Data[i], 5);
        }
    }

    private static Ictcp Itp(RgbPlanarFrame pq) => Ictcp.FromPqBt2020(pq.Data[0], pq.Data[1], pq.Data[2]);

    private static double Hue(Ictcp c) => Math.Atan2(c.Cp, c.Ct) * 180 / Math.PI;

    /// <summary>A "network" pixel given in linear BT.2020 cd/m².</summary>
    private static RgbPlanarFrame Nits(double r, double g, double b) => Pixel(St2084.InverseEotf(r), St2084.InverseEotf(g), St2084.InverseEotf(b));

    /// <summary>The hue lock's and the exact lock's result for one pixel, in ICtCp.</summary>
    private static (Ictcp Hue, Ictcp Exact) Locks(RgbPlanarFrame sdr, RgbPlanarFrame network) =>
        (Itp(HueLock.Apply(sdr, network)), Itp(HueLock.Apply(sdr, network, ColourLock.Chromaticity)));

    [Fact]
    public void The_hue_lock_keeps_the_inputs_hue_and_gives_back_saturation_the_network_restores()
    {
        // SDR orange, as a filmic curve leaves a highlight: the network made it brighter, more saturated and yellower.
        var sdr = Pixel(0.8, 0.5, 0.2);
        var placed = Itp(new Bt2408SdrMapper().Map(sdr));
        var network = Nits(500, 300, 40);
        var (locked, exact) = Locks(sdr, network);
        var net = Itp(network);
        // The input's hue: that of its chromaticity at the network's light (ICtCp hue moves a little with intensity,
        // 1.3° here between the placed SDR and 3× its light), not the network's.
        Assert.Equal(Hue(exact), Hue(locked), 0.05);
        Assert.Equal(Hue(placed), Hue(locked), 1.5);
        Assert.True(Math.Abs(Hue(net) - Hue(placed)) > 5);  // (which really is another hue)
        // The network's saturation along the input's hue (its chroma projected on that direction), larger than the input's.
        double along = net.Chroma * Math.Cos((Hue(net) - Hue(exact)) * Math.PI / 180);
        Assert.Equal(along, locked.Chroma, 4);
        Assert.True(along > exact.Chroma + 0.02);
        Assert.Equal(net.I, locked.I, 4);                   // and its intensity
    }

    [Fact]
    public void Saturation_beyond_BT2020_is_cut_back_along_the_hue_not_clipped_per_channel()
    {
        // The network's orange is so saturated that at the input's hue it would need negative blue.
        var sdr = Pixel(0.8, 0.5, 0.2);
        var network = Nits(900, 100, 0);
        var lockedPq = HueLock.Apply(sdr, network);
        var locked = Itp(lockedPq);
        var exact = Itp(HueLock.Apply(sdr, network, ColourLock.Chromaticity));
        Assert.Equal(Hue(exact), Hue(locked), 0.05);
        Assert.InRange(locked.Chroma, exact.Chroma, Itp(network).Chroma - 0.01);
        Assert.InRange(St2084.Eotf(lockedPq.Data[2]), 0, 0.05); // on the gamut's edge: blue ≈ 0
    }

    [Fact]
    public void A_tint_of_another_hue_adds_no_saturation()
    {
        // Pale cyan water; the network tinted it strongly magenta. None of that chroma lies along cyan, so the lock
        // keeps the input's own pale cyan rather than turning the magenta's strength into saturated cyan.
        var sdr = Pixel(0.75, 0.88, 0.9);
        var network = Nits(420, 300, 460);
        var (hue, exact) = Locks(sdr, network);
        Assert.True(Itp(network).Chroma > 2 * exact.Chroma);
        Assert.Equal(exact.Chroma, hue.Chroma, 4);
        Assert.Equal(Hue(exact), Hue(hue), 0.05);
    }

    [Fact]
    public void The_hue_lock_does_not_let_the_network_wash_a_colour_out()
    {
        // The same orange washed out and turned bluer by the network: the exact lock's colour at the network's light.
        var sdr = Pixel(0.8, 0.5, 0.2);
        var network = Nits(600, 520, 480);
        var (hue, exact) = Locks(sdr, network);
        Assert.Equal(Hue(exact), Hue(hue), 0.05);
        Assert.Equal(exact.Chroma, hue.Chroma, 3);
        Assert.True(hue.Chroma > 2 * Itp(network).Chroma);
    }

    [Fact]
    public void The_hue_lock_keeps_a_grey_grey_whatever_colour_the_network_adds()
    {
        // A neutral input has no hue to keep: the network's tint is dropped, its intensity kept.
        var network = Pixel(0.61, 0.55, 0.52);
        var locked = Itp(HueLock.Apply(Pixel(0.5, 0.5, 0.5), network));
        Assert.Equal(0, locked.Chroma, 4);
        Assert.Equal(Itp(network).I, locked.I, 4);
    }

    [Fact]
    public void The_hue_lock_fades_to_the_exact_lock_for_near_neutral_input()
    {
        // A faint tint (chroma ≈ 0.004, below where the lock trusts the input's hue): no saturation from the network.
        var sdr = Pixel(0.51, 0.5, 0.5);
        Assert.InRange(Itp(new Bt2408SdrMapper().Map(sdr)).Chroma, 0.001, 0.005);
        var network = Pixel(0.70, 0.50, 0.50);
        var (hue, exact) = Locks(sdr, network);
        Assert.Equal(exact.Chroma, hue.Chroma, 3);
        Assert.Equal(Hue(exact), Hue(hue), 0.5);
    }

    [Fact]
    public void Frames_of_different_sizes_are_refused() =>
        Assert.Throws<ArgumentException>(() => HueLock.Apply(new RgbPlanarFrame(2, 2), new RgbPlanarFrame(2, 3)));
}
