// Reproduces the "Cascading" rows of the KPNet paper (TPAMI), Tab. 1 and §5.2: compressed-SDR enhancement by
// DnCNN (Zhang et al., TIP 2017) followed by SDR→HDR reconstruction by KUNet (Wang et al., IJCAI 2022) —
// "DNCNN+KUNet" (two separately trained networks) and "DNCNN+KUNet*" (joint training), 1.68M parameters.
namespace HdrUp.Models;

/// <summary>
/// The cascade O = KUNet(DnCNN(x)): DnCNN restores the compressed SDR frame (x + R(x), still SDR code values),
/// KUNet maps the restored frame to HDR. The intermediate frame is not clamped, so gradients flow through both
/// stages and the whole module trains jointly (paper's "*" row); <see cref="FromCheckpoints"/> instead assembles it
/// from two separately trained state dicts (the plain row).
/// </summary>
/// <remarks>
/// State-dict keys are those of the parts under the prefixes <c>dncnn.</c> and <c>kunet.</c> (94 + 74 = 168 entries).
/// Parameters at nf = 64: 558,403 (<see cref="DnCNN"/>) + 1,136,643 (<see cref="KUNet"/>) = <b>1,695,046</b>.
/// Paper Tab. 1 says 1.68M, the sum of its own DnCNN (559K) and KUNet (1.12M) entries; against the exact counts
/// the difference is the 960 redundant pre-BN biases (see <see cref="DnCNN"/>) and the paper's rounding of KUNet's
/// 1,136,643 to 1.12M. Input H, W multiples of 4 (KUNet's two stride-2 levels; DnCNN takes any size).
/// </remarks>
public sealed class DnCNNKUNet : RestorationCascade<KUNet>
{
    /// <summary>Builds the cascade with freshly initialised parts.</summary>
    /// <param name="nf">Feature width of both parts (default 64).</param>
    public DnCNNKUNet(int nf = 64) : base(nameof(DnCNNKUNet), "kunet", new KUNet(nf), nf)
    {
    }

    /// <summary>
    /// Builds the cascade from two separately trained checkpoints, a DnCNN state dict and a KUNet state dict, each
    /// .pth or .safetensors, each loaded strictly. The result is in eval mode.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file does not match its part (message names the file and key).</exception>
    public static DnCNNKUNet FromCheckpoints(string dncnnPath, string kunetPath, int nf = 64) =>
        LoadParts(new DnCNNKUNet(nf), dncnnPath, kunetPath);
}
