using System.Globalization;

namespace HdrUp.Training.Dataset;

/// <summary>
/// ffmpeg argument lists of the SDR compression stage: HEVC intra-only at constant QP with x265
/// (the paper used the HM16.9 reference encoder, which is not available here; see
/// docs/dataset.md), BT.709 Y′CbCr 4:2:0 limited range both ways.
/// </summary>
public static class Hevc
{
    /// <summary>
    /// x265 settings that make it behave like HM's fixed-QP all-intra configuration as far as x265 allows:
    /// every frame an I frame at exactly the QP (ipratio 1: no I-frame QP offset), no adaptive
    /// quantisation and no psycho-visual RDO (HM optimises plain SSE), deblocking and SAO on (HM defaults).
    /// </summary>
    public static string X265Params(int qp) => FormattableString.Invariant(
        $"qp={qp}:keyint=1:min-keyint=1:scenecut=0:ipratio=1:aq-mode=0:psy-rd=0:psy-rdoq=0:log-level=error");

    private const string ToYuv = "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=yuv420p";
    private const string ToRgb = "scale=in_color_matrix=bt709:in_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24";

    public static string Describe(string preset) => $"ffmpeg libx265 -preset {preset} -x265-params {X265Params(0).Replace("qp=0", "qp=<QP>")}; yuv420p BT.709 limited range";

    public static List<string> EncodeArgs(string size, int qp, string preset, string output) =>
    [
        "-hide_banner", "-v", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", "25", "-i", "-",
        "-vf", ToYuv,
        "-c:v", "libx265", "-preset", preset, "-x265-params", X265Params(qp),
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv",
        "-f", "hevc", output,
    ];

    public static List<string> DecodeArgs(string input, string outputFolder) =>
    [
        "-hide_banner", "-v", "error", "-y", "-i", input,
        "-vf", ToRgb,
        "-start_number", "0", "-f", "image2", Path.Combine(outputFolder, "%06d.png"),
    ];

    /// <summary>
    /// Encoder of the degradation model (<see cref="SdrDegradation"/>): RGB frames of <paramref name="width"/>×<paramref name="height"/>
    /// down-scaled by the recipe's factor (bicubic, to even sizes) in the same conversion to BT.709 4:2:0 limited range,
    /// then the recipe's codec at the level of <paramref name="qp"/>. x265 intra without a down-scale gives exactly
    /// <see cref="EncodeArgs(string, int, string, string)"/>.
    /// </summary>
    public static List<string> EncodeArgs(int width, int height, SdrRecipe recipe, int qp, string preset, string output)
    {
        if (recipe.Codec == SdrCodec.X265Intra && recipe.Scale == 1) return EncodeArgs($"{width}x{height}", qp, preset, output);
        var (w, h) = ScaledSize(width, height, recipe.Scale);
        var args = new List<string>
        {
            "-hide_banner", "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", "25", "-i", "-",
            "-vf", FormattableString.Invariant($"scale=w={w}:h={h}:{ToYuv[6..]}"),
        };
        args.AddRange(SdrDegradation.EncoderArgs(recipe.Codec, qp, preset));
        args.AddRange(["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv", "-f", "matroska", output]);
        return args;
    }

    /// <summary>Decoder of <see cref="EncodeArgs(int, int, SdrRecipe, int, string, string)"/>: back to RGB at <paramref name="width"/>×<paramref name="height"/> (bicubic up-scale where the recipe down-scaled).</summary>
    public static List<string> DecodeArgs(string input, string outputFolder, int width, int height) =>
    [
        "-hide_banner", "-v", "error", "-y", "-i", input,
        "-vf", FormattableString.Invariant($"scale=w={width}:h={height}:{ToRgb[6..]}"),
        "-start_number", "0", "-f", "image2", Path.Combine(outputFolder, "%06d.png"),
    ];

    /// <summary>File name of a degradation-model stream: raw HEVC for the paper's codec, Matroska otherwise.</summary>
    public static string StreamName(string key, SdrRecipe recipe) =>
        recipe.Codec == SdrCodec.X265Intra && recipe.Scale == 1 ? key + ".hevc" : key + ".mkv";

    public static (int Width, int Height) ScaledSize(int width, int height, double scale) =>
        (Math.Max(2, (int)Math.Round(width * scale / 2) * 2), Math.Max(2, (int)Math.Round(height * scale / 2) * 2));

    public static List<string> PngSequenceArgs(string pixelFormat, string size, string outputFolder) =>
    [
        "-hide_banner", "-v", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", pixelFormat, "-s", size, "-r", "25", "-i", "-",
        "-start_number", "0", "-f", "image2", Path.Combine(outputFolder, "%06d.png"),
    ];

    public static string Qp(int qp) => qp.ToString(CultureInfo.InvariantCulture);
}
