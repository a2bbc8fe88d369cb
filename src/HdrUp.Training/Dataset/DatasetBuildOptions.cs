using System.Globalization;
using System.Text.Json.Serialization;

namespace HdrUp.Training.Dataset;

/// <summary>How the SDR input is graded from the HDR ground truth.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SdrTone>))]
public enum SdrTone
{
    /// <summary>ITU-R BT.2446 Method C for every frame (a colourist's down-conversion).</summary>
    Bt2446C,

    /// <summary>
    /// Per frame, deterministically from the frame name and seed: BT.2446 Method C with an
    /// exposure offset drawn from <see cref="DatasetBuildOptions.MixedExposureStops"/>.
    /// </summary>
    Mixed,

    /// <summary>
    /// The degradation model (<see cref="SdrDegradation"/>): each training frame draws scene variation, a tone
    /// operator, exposure, saturation, signal encoding, codec and down-scale from a seeded per-frame stream; the test
    /// and pan splits stay BT.2446 Method C with x265 intra, so they remain comparable with paper-style builds.
    /// </summary>
    Degraded,
}

/// <summary>Every parameter of <see cref="DatasetBuilder.BuildAsync"/>; recorded in the output manifest.</summary>
public sealed record DatasetBuildOptions
{
    /// <summary>"32,37" → [32, 37]: the QP list of <c>dataset build --qp</c>.</summary>
    public static int[] ParseQps(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(q => int.TryParse(q, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--qp: '{q}' is not an integer QP."))
            .ToArray();

    /// <summary>"256" or "320x192": the frame size of <c>dataset build --size</c>.</summary>
    public static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            int w = int.Parse(parts[0], CultureInfo.InvariantCulture);
            return (w, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : w);
        }
        throw new ArgumentException($"--size: '{text}' is not N or WxH.");
    }

    /// <summary>Folder with manifest.json from the samples step, or any folder of EXR files (see docs/dataset.md).</summary>
    public required string SourcesDir { get; init; }

    public required string OutDir { get; init; }

    /// <summary>HEVC intra constant QPs; each gives a <c>*_sdr/qpNN</c> folder. The paper's four by default.</summary>
    public IReadOnlyList<int> Qps { get; init; } = [32, 37, 42, 47];

    /// <summary>Frame width and height in pixels (multiples of 8, ≥ 160: the trainer's crop, spec §11).</summary>
    public int Width { get; init; } = 256;

    public int Height { get; init; } = 256;

    /// <summary>Yaw angles of the panorama views, degrees.</summary>
    public IReadOnlyList<double> Yaws { get; init; } = [0, 45, 90, 135, 180, 225, 270, 315];

    /// <summary>Pitch angles of the panorama views, degrees (positive looks up).</summary>
    public IReadOnlyList<double> Pitches { get; init; } = [-20, 0, 20];

    /// <summary>Horizontal fields of view, used in rotation over the (yaw, pitch) grid so each view gets one.</summary>
    public IReadOnlyList<double> Fovs { get; init; } = [70, 100];

    /// <summary>Number of virtual camera pans (one per panorama, panoramas spread evenly over the training set).</summary>
    public int PanCount { get; init; } = 4;

    public int PanFrames { get; init; } = 8;

    /// <summary>Yaw step between consecutive pan frames, degrees (1.5° per frame ≈ 37°/s at 25 fps).</summary>
    public double PanStepDegrees { get; init; } = 1.5;

    public double PanFov { get; init; } = 90;

    public SdrTone Sdr { get; init; } = SdrTone.Bt2446C;

    /// <summary>Exposure offsets (stops, applied to the HDR light before the tone mapping) drawn from in <see cref="SdrTone.Mixed"/>.</summary>
    public IReadOnlyList<double> MixedExposureStops { get; init; } = [-0.5, 0, 0.5];

    /// <summary>Share of Degraded training frames made exactly the paper's way (<see cref="SdrDegradation.DefaultPaperShare"/>).</summary>
    public double PaperShare { get; init; } = SdrDegradation.DefaultPaperShare;

    /// <summary>x265 preset (speed/efficiency trade-off; the QP fixes the quantiser either way).</summary>
    public string X265Preset { get; init; } = "medium";

    public int Seed { get; init; } = 10;

    internal void Validate()
    {
        if (Width % 8 != 0 || Height % 8 != 0 || Width < 160 || Height < 160)
            throw new ArgumentException($"Frame size {Width}×{Height}: width and height must be multiples of 8 and at least 160 (the trainer's crop).");
        if (Qps.Count == 0) throw new ArgumentException("At least one QP is needed.");
        foreach (int qp in Qps)
            if (qp is < 0 or > 51) throw new ArgumentException($"QP {qp} is outside HEVC's 0–51.");
        if (Qps.Distinct().Count() != Qps.Count) throw new ArgumentException("QPs are listed twice.");
        if (Yaws.Count == 0 || Pitches.Count == 0 || Fovs.Count == 0) throw new ArgumentException("Yaws, pitches and FOVs need at least one value each.");
        foreach (double f in Fovs.Append(PanFov))
            if (!(f > 0 && f < 180)) throw new ArgumentException($"Field of view {f}° is outside (0°, 180°).");
        foreach (double p in Pitches)
            if (!(p >= -90 && p <= 90)) throw new ArgumentException($"Pitch {p}° is outside [−90°, 90°].");
        if (PanCount < 0 || PanFrames < 1) throw new ArgumentException("PanCount must be ≥ 0 and PanFrames ≥ 1.");
        if (!(PaperShare >= 0 && PaperShare <= 1)) throw new ArgumentException($"Paper share {PaperShare} is outside [0, 1].");
        if (Sdr == SdrTone.Mixed && MixedExposureStops.Count == 0) throw new ArgumentException("Mixed SDR needs at least one exposure offset.");
    }

    /// <summary>The parameters that decide the content of existing frames (QPs excluded: adding a QP later is allowed).</summary>
    internal string ContentKey() => System.Text.Json.JsonSerializer.Serialize(new
    {
        Width, Height, Yaws, Pitches, Fovs, PanCount, PanFrames, PanStepDegrees, PanFov,
        Sdr = Sdr.ToString(), MixedExposureStops, X265Preset, Seed, PaperShare, Splits = "train,test,pan,cross", SdrDegradation.Version,
        HdrGrading.MedianSceneLevel, HdrGrading.Knee, HdrGrading.MasteringPeak,
    });
}
