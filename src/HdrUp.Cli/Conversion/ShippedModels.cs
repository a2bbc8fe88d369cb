using System.Text.RegularExpressions;

namespace HdrUp.Cli.Conversion;

/// <summary>
/// The weights shipped in the repository's <c>models/</c> folder (copied beside the program at build
/// time): one KPNet per HEVC QP, named <c>kpnet-qpNN.safetensors</c> with a model card beside each.
/// </summary>
internal static partial class ShippedModels
{
    public static string Folder
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable("HDRUP_MODELS");
            return string.IsNullOrEmpty(overridden) ? Path.Combine(AppContext.BaseDirectory, "models") : overridden;
        }
    }

    /// <summary>QP → weights file, for every shipped full-quality KPNet.</summary>
    public static SortedDictionary<int, string> ByQp()
    {
        var found = new SortedDictionary<int, string>();
        if (!Directory.Exists(Folder)) return found;
        foreach (string file in Directory.EnumerateFiles(Folder, "*.safetensors"))
        {
            Match m = QpName().Match(Path.GetFileName(file));
            if (m.Success) found[int.Parse(m.Groups[1].Value)] = file;
        }
        return found;
    }

    [GeneratedRegex(@"^kpnet-qp(\d+)\.safetensors$")]
    private static partial Regex QpName();
}
