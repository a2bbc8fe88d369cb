using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Models.Onnx;

namespace HdrUp.Conversion;

/// <summary>
/// Where the int8 graph's activation ranges are measured (<see cref="OnnxInt8"/>): training crops of a dataset when one is
/// given, else frames of the sample clip shipped with the program (samples/city.mp4, night-time city footage).
/// </summary>
public static class CalibrationFrames
{
    /// <summary>Training crops taken from a dataset: enough to meet every panorama of the training split at 256×256.</summary>
    public const int DatasetCrops = 16;

    /// <summary>Frames taken from a clip.</summary>
    public const int ClipFrames = 8;

    /// <summary>The sample clip beside the program (copied there by the build).</summary>
    public static string SamplePath => Path.Combine(AppContext.BaseDirectory, "samples", "city.mp4");

    /// <summary>The default set: <paramref name="dataset"/>'s training crops at <paramref name="qp"/> when a dataset with them
    /// is given, else <see cref="ClipFrames"/> frames of the sample.</summary>
    public static CalibrationSet For(DatasetFolders? dataset, int qp, CancellationToken cancellationToken = default) =>
        dataset is not null && Directory.Exists(dataset.TrainingSdr(qp))
            ? FromFolder(dataset.TrainingSdr(qp))
            : FromClip(SamplePath, ClipFrames, cancellationToken);

    /// <summary><paramref name="count"/> SDR crops of a folder (a dataset's training split at one QP) evenly spread over its
    /// sorted file list (consecutive crops come from the same panorama).</summary>
    public static CalibrationSet FromFolder(string folder, int count = DatasetCrops)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no crops to calibrate int8 on (build them with 'hdrup dataset build')");
        string[] files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"{folder}: no PNG crops to calibrate int8 on");
        var frames = EvenSpread.Indices(files.Length, count).Select(i => Frame(Png16.Read(files[i]))).ToArray();
        return new CalibrationSet($"{frames.Length} training crops of {folder}", frames);
    }

    /// <summary><paramref name="count"/> frames evenly spread over the first 240 of a clip, as convert decodes them.</summary>
    public static CalibrationSet FromClip(string path, int count = ClipFrames, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no clip to calibrate int8 on (the sample ships beside the program)", path);
        using var reader = SdrVideoReader.Open(path, new SdrReaderOptions { MaxFrames = 240 }, cancellationToken);
        var all = reader.ReadFrames(cancellationToken).Select(f => f.Rgb).ToList();
        var frames = EvenSpread.Indices(all.Count, count).Select(i => Frame(all[i])).ToArray();
        return new CalibrationSet($"{frames.Length} frames of {Path.GetFileName(path)}", frames);
    }

    private static CalibrationFrame Frame(RgbPlanarFrame frame) => new(frame.Data, frame.Width, frame.Height);
}
