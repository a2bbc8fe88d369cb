// Reproduces the "DNCNN+HDRTV" cascade row of the KPNet paper (TPAMI), Tab. 1 and §5.2: compressed-SDR enhancement by
// DnCNN (Zhang et al., TIP 2017) followed by SDR→HDR reconstruction by HDRTVNet's AGCM + LE (Chen et al., ICCV 2021),
// 2.00M parameters. The paper lists this cascade without joint training ('*' only on DNCNN+KUNet).
namespace HdrUp.Models;

/// <summary>
/// The cascade O = HDRTVNet(DnCNN(x)), built like <see cref="DnCNNKUNet"/>: DnCNN restores the compressed SDR frame,
/// HDRTVNet (AGCM + LE) maps the restored frame to HDR; no clamp in between, so it also trains jointly, and
/// <see cref="FromCheckpoints"/> assembles the paper's separately trained cascade from two state dicts.
/// </summary>
/// <remarks>
/// State-dict keys are those of the parts under the prefixes <c>dncnn.</c> and <c>hdrtv.</c> (94 + 110 = 204 entries).
/// Parameters at nf = 64: 558,403 (<see cref="DnCNN"/>) + 1,405,110 (<see cref="HDRTVNet"/>) = <b>1,963,513</b>.
/// Paper Tab. 1 says 2.00M (−1.8 %), although its own DnCNN (559K) and HDRTV (1.41M) entries sum to 1.97M; the 960
/// pre-BN biases the paper's DnCNN count includes (see <see cref="DnCNN"/>) explain 0.05 % of it, the rest is not
/// explained by anything published. Input H, W even (HDRTVNet's LE; DnCNN takes any size).
/// </remarks>
public sealed class DnCNNHDRTV : RestorationCascade<HDRTVNet>
{
    /// <summary>Builds the cascade with freshly initialised parts.</summary>
    /// <param name="nf">Feature width of both parts (default 64).</param>
    public DnCNNHDRTV(int nf = 64) : base(nameof(DnCNNHDRTV), "hdrtv", new HDRTVNet(nf), nf)
    {
    }

    /// <summary>
    /// Builds the cascade from two separately trained checkpoints, a DnCNN state dict and a HDRTVNet state dict, each
    /// .pth or .safetensors, each loaded strictly. The result is in eval mode.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file does not match its part (message names the file and key).</exception>
    public static DnCNNHDRTV FromCheckpoints(string dncnnPath, string hdrtvPath, int nf = 64) =>
        LoadParts(new DnCNNHDRTV(nf), dncnnPath, hdrtvPath);
}
