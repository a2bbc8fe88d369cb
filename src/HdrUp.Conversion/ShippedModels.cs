using System.Text.RegularExpressions;

using HdrUp.Media;
namespace HdrUp.Conversion;

/// <summary>
/// The weights shipped in the repository's <c>models/</c> folder (copied beside the program at build
/// time): one KPNet per HEVC QP, named <c>kpnet-qpNN.safetensors</c> with a model card beside each, and the
/// narrow, distilled KPNet of the fast quality level as <c>kpnet-fast-qpNN.safetensors</c>.
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

    [GeneratedRegex(@"^kpnet-qp(\d+)\.safetensors$")]
    private static partial Regex QpName();

    [GeneratedRegex(@"^kpnet-fast-qp(\d+)\.safetensors$")]
    private static partial Regex FastName();
}

/// <summary>The shipped model family <c>hdrup convert --quality</c> picks from.</summary>
public enum Quality
{
    /// <summary>The published KPNet (nf 64).</summary>
    Full,
    /// <summary>The narrow KPNet distilled from it: several times faster, a little less accurate (README, #11).</summary>
    Fast,
}
