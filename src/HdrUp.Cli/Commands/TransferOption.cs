using System.CommandLine;
using System.Globalization;
using HdrUp.Media;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>--transfer pq|hlg</c>, shared by <c>convert</c> and <c>concat</c> so a joined file is tagged as one run's.</summary>
internal static class TransferOption
{
    public static Option<HdrTransfer> Create() => new("--transfer")
    {
        Description = "pq (HDR10: SMPTE ST 2084 with mastering display and MaxCLL/MaxFALL) or hlg (BT.2100 hybrid log-gamma, " +
                      "tagged arib-std-b67, what broadcast delivers: the PQ result converted by BT.2408's display-light conversion " +
                      "for a 1000 cd/m² HLG display; no static metadata). hlg needs --peak ≤ 1000.",
        DefaultValueFactory = _ => HdrTransfer.Pq,
    };

    /// <summary>HLG's nominal display is 1 000 cd/m²: light above it would be clipped, not rolled off.</summary>
    public static void Check(HdrTransfer transfer, double peak)
    {
        if (transfer == HdrTransfer.Hlg && peak > 1000)
            throw new ArgumentException($"--transfer hlg with --peak {peak.ToString(CultureInfo.InvariantCulture)}: HLG is converted for a 1000 cd/m² display; use --peak 1000 or less");
    }

    /// <summary>The summary rows of the written file's transfer and light level.</summary>
    public static void AddSummaryRows(Table summary, HdrTransfer transfer, ContentLightLevel lightLevel)
    {
        summary.AddRow("light level", Markup.Escape(lightLevel.ToString() + (transfer == HdrTransfer.Hlg ? " (of the PQ result; HLG carries no light level metadata)" : "")));
        summary.AddRow("transfer", transfer == HdrTransfer.Hlg ? "HLG (arib-std-b67), BT.2020, for a 1000 cd/m² display" : "PQ (smpte2084), BT.2020, HDR10 metadata");
    }
}
