using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace HdrUp.Models.Onnx;

/// <summary>One frame to measure activation ranges on: planar 3×H×W floats, SDR code values / 255 as the network takes them.</summary>
public sealed record CalibrationFrame(float[] Planar, int Width, int Height)
{
    /// <summary>A frame of the planar buffer's size.</summary>
    /// <exception cref="ArgumentException">The buffer does not hold 3·W·H values.</exception>
    public CalibrationFrame Checked() => Planar.Length == 3L * Width * Height && Width > 0 && Height > 0
        ? this
        : throw new ArgumentException($"Calibration frame {Width}×{Height} must hold 3×{Height}×{Width} values, not {Planar.Length}.");
}

/// <summary>
/// The frames <see cref="OnnxInt8"/> measures activation ranges on, with what they are (for reports) and
/// <see cref="Identity"/>, a digest of their pixels that is part of the int8 graph's cache key: other frames give other
/// scales, so they must give another graph.
/// </summary>
public sealed class CalibrationSet
{
    public CalibrationSet(string description, IReadOnlyList<CalibrationFrame> frames)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0) throw new ArgumentException("A calibration set needs at least one frame.", nameof(frames));
        Description = description;
        Frames = frames.Select(f => f.Checked()).ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var frame in Frames)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{frame.Width}x{frame.Height}\n"));
            hash.AppendData(MemoryMarshal.AsBytes(frame.Planar.AsSpan()));
        }
        Identity = Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Where the frames come from, e.g. "16 crops of data/degraded/train_sdr/qp37".</summary>
    public string Description { get; }

    public IReadOnlyList<CalibrationFrame> Frames { get; }

    /// <summary>SHA-256 (lower-case hex) of the frames' sizes and pixels; the description does not enter it.</summary>
    public string Identity { get; }
}
