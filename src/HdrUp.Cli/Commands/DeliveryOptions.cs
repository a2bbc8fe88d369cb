using System.CommandLine;
using HdrUp.Conversion.Delivery;

namespace HdrUp.Cli.Commands;

/// <summary>The options of <c>convert</c> that describe its result: <c>--report</c>, <c>--preview</c>, <c>--preview-frame</c>.</summary>
internal sealed class DeliveryOptions
{
    public Option<string?> Report { get; } = new("--report")
    {
        Description = "Also write a JSON report of the output: per shot (split at hard cuts found in the SDR input) and in total " +
                      "MaxCLL/MaxFALL, the share of pixels above 203 cd/m² (BT.2408 reference white, BT.2020 luminance) and the hue drift " +
                      "and chroma ratio against the input (as 'eval --sdr'); with the mapping, model, QP, transfer and peak.",
    };

    public Option<string?> Preview { get; } = new("--preview")
    {
        Description = "Also write a PNG still of one frame: SDR input | HDR output shown on an SDR screen (SdrPreview: BT.2020 → BT.709, extended " +
                      "Reinhard per channel with 1000 cd/m² on white and 203 cd/m² at 76 %, BT.1886) | false-colour map of the output's BT.2020 luminance with a legend " +
                      "(bands < 1, 1–10, 10–100, 100–203, 203–400, 400–1000, > 1000 cd/m²).",
    };

    public Option<int?> PreviewFrame { get; } = new("--preview-frame")
    {
        Description = "Frame of the --preview still, from 0. Default: the frame whose SDR luma has the highest variance " +
                      "(the widest spread of levels, so the still shows the most of the mapping).",
    };

    public IEnumerable<Option> All => [Report, Preview, PreviewFrame];

    public DeliveryRequest Get(ParseResult parse) => new(parse.GetValue(Report), parse.GetValue(Preview), parse.GetValue(PreviewFrame));
}
