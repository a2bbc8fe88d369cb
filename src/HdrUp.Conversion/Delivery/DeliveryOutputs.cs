using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Metrics;

namespace HdrUp.Conversion.Delivery;

/// <summary>What was asked for: report file, preview file, preview frame (null: chosen automatically).</summary>
public sealed record DeliveryRequest(string? Report, string? Preview, int? PreviewFrame);

/// <summary>What the report says about how the output was made.</summary>
public sealed record DeliveryContext(string Input, string Mapping, string Model, int? Qp, HdrTransfer Transfer, double Peak);

/// <summary>
/// One convert run's <c>--report</c> and <c>--preview</c>: checks the destinations before the conversion starts (an
/// existing file needs --force, as every output does), gives the job its <see cref="DeliveryObserver"/>, and writes both
/// files atomically afterwards.
/// </summary>
public sealed class DeliveryOutputs
{
    private readonly DeliveryRequest request;
    private string? previewNote;

    private DeliveryOutputs(DeliveryRequest request)
    {
        this.request = request;
        Observer = new DeliveryObserver(request.PreviewFrame, measure: request.Report is not null);
    }

    public DeliveryObserver Observer { get; }

    /// <summary>Null when neither file is asked for. <paramref name="frames"/>: the frames the job will map, when known.</summary>
    public static DeliveryOutputs? Start(DeliveryRequest request, bool force, bool segment, string input, long? frames)
    {
        if (request.PreviewFrame is int n)
        {
            if (request.Preview is null)
                throw new ArgumentException("--preview-frame needs --preview FILE.png");
            if (n < 0)
                throw new ArgumentException($"--preview-frame {n}: frames count from 0");
            if (frames is long count && count > 0 && n >= count)
                throw new ArgumentException($"--preview-frame {n}: {Path.GetFileName(input)} has {count} frame(s) to convert (0–{count - 1})");
        }
        if (request.Report is null && request.Preview is null)
            return null;
        if (segment)
            throw new ArgumentException("--segment converts part of a file; --report and --preview describe a whole one (run them on the joined file's convert)");
        if (request.Preview is string png && !png.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{Path.GetFileName(png)}: the preview is a PNG still; name it .png");
        foreach (string? file in new[] { request.Report, request.Preview })
        {
            if (file is null) continue;
            string full = Path.GetFullPath(file);
            string folder = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"{Path.GetFileName(full)}: folder {folder} does not exist");
            AtomicFile.RefuseOverwrite(full, force);
        }
        return new DeliveryOutputs(request);
    }

    /// <summary>Writes the still and the report of a finished conversion.</summary>
    public void Finish(ConvertResult result, DeliveryContext context)
    {
        if (request.Preview is string preview)
        {
            if (Observer.Preview is not (int index, RgbPlanarFrame sdr, RgbPlanarFrame pq))
                throw new InvalidDataException($"--preview-frame {request.PreviewFrame}: {Path.GetFileName(context.Input)} gave only {result.Frames} frame(s) (0–{result.Frames - 1})");
            previewNote = request.PreviewFrame is null ? $"frame {index}, {DeliveryObserver.AutoRule}" : $"frame {index}, as asked";
            string note = $"Frame {index} of {result.Frames} ({(request.PreviewFrame is null ? DeliveryObserver.AutoRule : "--preview-frame")}), {context.Model}. " +
                          "Middle: the HDR output for an SDR screen (SdrPreview): PQ to cd/m², BT.2020 to BT.709, extended Reinhard per channel " +
                          "with 1000 cd/m² on white and 203 cd/m² at 76 %, BT.1886. Right: BT.2020 luminance of the HDR output" +
                          (context.Transfer == HdrTransfer.Hlg ? " (the PQ master the HLG file is converted from)" : "") + "; an edge belongs to the band below.";
            using var still = PreviewStill.Render(sdr, pq, note);
            AtomicFile.Write(preview, (Stream stream) => PreviewStill.WritePng(still, stream));
        }
        if (request.Report is string report)
            AtomicFile.WriteAllText(report, Json(result, context));
    }

    /// <summary>The summary's rows (label, plain text) for what was measured and written.</summary>
    public IEnumerable<(string Label, string Value)> SummaryRows()
    {
        var inv = CultureInfo.InvariantCulture;
        if (request.Report is not null)
        {
            var shots = Observer.Shots;
            string perShot = string.Join(", ", shots.Take(8).Select(s => $"{s.Light.Result.MaxCll}/{s.Light.Result.MaxFall}")) + (shots.Count > 8 ? ", …" : "");
            yield return ("shots", $"{shots.Count}; MaxCLL/MaxFALL per shot {perShot} cd/m²");
            yield return ("above 203 cd/m²", string.Create(inv, $"{100 * Observer.Total.ShareAboveReferenceWhite:0.00} % of pixels (BT.2020 luminance)"));
            var colour = Observer.Total.Colour.Total;
            yield return ("hue drift", colour.ChromaticPixels == 0 ? "n/a (no chromatic, unclipped input pixels)"
                : string.Create(inv, $"{colour.HueDriftDegrees:0.00}° against the input (chroma ratio {colour.ChromaRatio:0.000})"));
            yield return ("report", Path.GetFullPath(request.Report));
        }
        if (request.Preview is not null)
            yield return ("preview", $"{Path.GetFullPath(request.Preview)} ({previewNote})");
    }

    private string Json(ConvertResult result, DeliveryContext context)
    {
        object Stats(ShotStatistics s) => new
        {
            first_frame = s.FirstFrame,
            frames = s.Frames,
            cut_scores = s.CutScores is (double blocks, double histogram) ? new { blocks, histogram } : null,
            max_cll = s.Light.Result.MaxCll,
            max_fall = s.Light.Result.MaxFall,
            above_203_share = s.ShareAboveReferenceWhite,
            colour = s.Colour.Total,
        };
        var total = Observer.Total;
        var document = new
        {
            input = Path.GetFullPath(context.Input),
            output = result.Output,
            frames_out = result.FramesOut,
            frames = result.Frames,
            resumed_frames = result.ResumedFrames,
            width = result.Width,
            height = result.Height,
            frame_rate = result.FrameRate.ToString(),
            mapping = context.Mapping,
            model = context.Model,
            qp = context.Qp,
            transfer = context.Transfer == HdrTransfer.Hlg ? "hlg" : "pq",
            peak_nits = context.Peak,
            max_cll = total.Light.Result.MaxCll,
            max_fall = total.Light.Result.MaxFall,
            light_level_note = context.Transfer == HdrTransfer.Hlg
                ? "of the PQ master the HLG file is converted from; HLG carries no light level metadata"
                : "as signalled in the file's HDR10 metadata (CTA-861.3: max(R, G, B) in cd/m²)",
            above_203_share = total.ShareAboveReferenceWhite,
            above_203_note = "share of pixels whose BT.2020 luminance (0.2627 R + 0.6780 G + 0.0593 B, cd/m²) is above BT.2408 reference white, 203 cd/m² (within 0.05 %)",
            colour = total.Colour.Total,
            colour_note = "hue drift (degrees) and chroma ratio against the SDR input placed by BT.2408, as 'hdrup eval --sdr' (docs/colour.md)" +
                          (Observer.ColourStride > 1 ? $", on one pixel of each {Observer.ColourStride}×{Observer.ColourStride} block" : ", on every pixel"),
            colour_stride = Observer.ColourStride,
            scene_cuts = new
            {
                rule = $"a shot starts where both the mean |ΔY′| of {SceneCuts.GridWidth}×{SceneCuts.GridHeight} block means of SDR luma " +
                       $"and the share of pixels that changed bin in a {SceneCuts.HistogramBins}-bin luma histogram exceed their thresholds",
                block_threshold = Observer.Cuts.BlockThreshold,
                histogram_threshold = Observer.Cuts.HistogramThreshold,
            },
            shots = Observer.Shots.Select(Stats),
            preview = request.Preview is null ? null : new
            {
                file = Path.GetFullPath(request.Preview),
                frame = Observer.Preview?.Index,
                rule = request.PreviewFrame is null ? DeliveryObserver.AutoRule : "--preview-frame",
                sdr_screen = "SdrPreview: PQ to cd/m², BT.2020 to BT.709 (negatives clipped), L = cd/m² / 203, extended Reinhard L(1 + L/W²)/(1 + L) per channel with W = 1000/203 (1000 cd/m² on white, 203 at 76 %), BT.1886 encoding (1/2.4)",
            },
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }
}
