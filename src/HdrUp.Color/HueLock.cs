using HdrUp.Color.Internal;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>
/// Keeps the colours of the SDR input under any SDR→HDR mapping (<c>convert --colour keep</c>): each output pixel
/// takes its light (BT.2020 luminance) from the mapping and its chromaticity from the input as BT.2408 places it
/// (BT.1886, white → 203 cd/m², BT.709 → BT.2020). Scaling a colour's linear RGB keeps its chromaticity exactly, so
/// hue and saturation are the input's wherever the lock applies, whatever the network does to them; only the
/// brightness (the expansion of highlights and shadows) is the network's.
/// <para>
/// The lock holds everywhere, neutrals included (a grey input stays grey) and clipped pixels too: a clipped red is
/// still red, and letting the network's colour through there showed as olive specks in saturated reds where a fast
/// model had turned red to olive. Black input (no luminance to scale) keeps the network's output. The result is
/// clipped to PQ's 0–10 000 cd/m².
/// </para>
/// </summary>
public static class HueLock
{
    private const double Kr = 0.2627, Kg = 0.6780, Kb = 0.0593; // BT.2020 luminance

    /// <summary>The locked frame: <paramref name="sdr"/> is the input (BT.709 code values [0, 1]), <paramref name="hdrPq"/> the mapping's output (PQ BT.2020).</summary>
    public static RgbPlanarFrame Apply(RgbPlanarFrame sdr, RgbPlanarFrame hdrPq, CancellationToken cancellationToken = default)
    {
        if (sdr.Width != hdrPq.Width || sdr.Height != hdrPq.Height)
            throw new ArgumentException($"SDR input is {sdr.Width}×{sdr.Height} but the HDR output is {hdrPq.Width}×{hdrPq.Height}.");
        var output = new RgbPlanarFrame(sdr.Width, sdr.Height);
        int n = sdr.PixelCount;
        FrameRows.ForBands(sdr.Width, sdr.Height, cancellationToken, (start, count) =>
        {
            float[] s = sdr.Data, h = hdrPq.Data, o = output.Data;
            for (int i = start; i < start + count; i++)
            {
                double sr = s[i], sg = s[n + i], sb = s[2 * n + i];
                double nr = St2084.Eotf(h[i]), ng = St2084.Eotf(h[n + i]), nb = St2084.Eotf(h[2 * n + i]);
                double r = nr, g = ng, b = nb;
                var (pr, pg, pb) = ColourSpaces.Bt709ToBt2020.Transform(Bt1886.Eotf(sr, Bt2408.ReferenceWhite),
                    Bt1886.Eotf(sg, Bt2408.ReferenceWhite), Bt1886.Eotf(sb, Bt2408.ReferenceWhite));
                double yp = Kr * pr + Kg * pg + Kb * pb;
                if (yp > 0)
                {
                    double k = (Kr * nr + Kg * ng + Kb * nb) / yp;
                    (r, g, b) = (pr * k, pg * k, pb * k);
                }
                o[i] = (float)St2084.InverseEotf(Math.Clamp(r, 0, 10000));
                o[n + i] = (float)St2084.InverseEotf(Math.Clamp(g, 0, 10000));
                o[2 * n + i] = (float)St2084.InverseEotf(Math.Clamp(b, 0, 10000));
            }
        });
        return output;
    }
}

/// <summary>An <see cref="IFrameMapper"/> whose output keeps the input's colours (<see cref="HueLock"/>).</summary>
public sealed class HueLockedMapper(IFrameMapper inner) : IFrameMapper, IDisposable
{
    /// <summary>Disposes the wrapped mapper (a loaded network) when it is disposable.</summary>
    public void Dispose() => (inner as IDisposable)?.Dispose();

    public string Name => inner.Name + "+colour-keep";

    public IFrameMapper Inner => inner;

    public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default) =>
        HueLock.Apply(input, inner.Map(input, cancellationToken), cancellationToken);
}
