using System.Text.RegularExpressions;

using HdrUp.Media;
namespace HdrUp.Conversion;

/// <summary>
/// The weights shipped in the repository's <c>models/</c> folder (copied beside the program at build
/// time): one KPNet per HEVC QP, named <c>kpnet-qpNN.safetensors</c> with a model card beside each, and the
/// narrow, distilled KPNet of the fast quality level as <c>kpnet-fast-qpNN.safetensors</c>. These are trained for SDR made
/// any way (the degradation model, issue #15); beside each, <c>…-bt2446c.safetensors</c> is the model trained only on SDR made
/// the paper's way (BT.2446 C down-conversion, x265 intra), which <c>--grade bt2446c</c> picks.
/// </summary>
public static partial class ShippedModels
{
    public static string Folder
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable("HDRUP_MODELS");
            return string.IsNullOrEmpty(overridden) ? Path.Combine(AppContext.BaseDirectory, "models") : overridden;
        }
    }

    /// <summary>QP → weights file, for every shipped KPNet of the quality level (full = the published network).</summary>
    public static SortedDictionary<int, string> ByQp(Quality quality = Quality.Full)
    {
        var pattern = quality == Quality.Fast ? FastName() : QpName();
        var found = new SortedDictionary<int, string>();
        if (!Directory.Exists(Folder)) return found;
        foreach (string file in Directory.EnumerateFiles(Folder, "*.safetensors"))
        {
            Match m = pattern.Match(Path.GetFileName(file));
            if (m.Success) found[int.Parse(m.Groups[1].Value)] = file;
        }
        return found;
    }

    /// <summary>The paper-style expert beside the shipped model of <paramref name="quality"/> at <paramref name="qp"/>:
    /// <c>kpnet[-fast]-qpNN-bt2446c.safetensors</c>, trained on SDR made the paper's way only; null when not shipped.</summary>
    public static string? PaperStyle(Quality quality, int qp)
    {
        string file = Path.Combine(Folder, PaperStyleName(quality, qp));
        return File.Exists(file) ? file : null;
    }

    /// <summary>The file name of <see cref="PaperStyle"/>'s model, shipped or not.</summary>
    public static string PaperStyleName(Quality quality, int qp) =>
        $"kpnet{(quality == Quality.Fast ? "-fast" : "")}-qp{qp.ToString(System.Globalization.CultureInfo.InvariantCulture)}-bt2446c.safetensors";

    [GeneratedRegex(@"^kpnet-qp(\d+)\.safetensors$")]
    private static partial Regex QpName();

    [GeneratedRegex(@"^kpnet-fast-qp(\d+)\.safetensors$")]
    private static partial Regex FastName();
}

/// <summary>Which of a QP's shipped models <c>hdrup convert --grade</c> picks: the one for how the SDR was made.</summary>
public enum Grade
{
    /// <summary>Trained on SDR made every way (the degradation model, docs/dataset.md): cameras, games, broadcast and web grades.</summary>
    General,
    /// <summary>Trained only on SDR made the paper's way: BT.2446 Method C down-conversion of HDR, HEVC intra.</summary>
    Bt2446c,
}

/// <summary>The shipped model family <c>hdrup convert --quality</c> picks from.</summary>
public enum Quality
{
    /// <summary>The published KPNet (nf 64).</summary>
    Full,
    /// <summary>The narrow KPNet distilled from it: several times faster, a little less accurate (README, #11).</summary>
    Fast,
}
