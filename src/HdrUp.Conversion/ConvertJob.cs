using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HdrUp.Media;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Conversion;

/// <summary>What to convert, with what, and how to encode it.</summary>
public sealed record ConvertRequest
{
    /// <summary>Any SDR video, still image or image-sequence pattern ffmpeg reads.</summary>
    public required string Input { get; init; }

    /// <summary>The HDR10 file (.mkv or .mp4); null when only <see cref="FramesOut"/> is wanted.</summary>
    public string? Output { get; init; }

    /// <summary>SDR code values in, PQ BT.2020 code values out.</summary>
    public required IFrameMapper Mapper { get; init; }

    /// <summary>
    /// Identifies the mapping and everything else that changes the pixels (model file hash, QP,
    /// tiling). A resumed job whose signature differs starts over instead of mixing frames.
    /// </summary>
    public required string Signature { get; init; }

    /// <summary>Also keep the 16-bit PQ BT.2020 PNGs (the paper's format) in this folder.</summary>
    public string? FramesOut { get; init; }

    public bool Force { get; init; }
    public bool AllowHdrInput { get; init; }
    public int Crf { get; init; } = 18;
    public string Preset { get; init; } = "medium";
    public MasteringDisplay MasteringDisplay { get; init; } = MasteringDisplay.P3D65_1000;

    /// <summary>Transfer of the written file; the cached frames and parts are PQ either way.</summary>
    public HdrTransfer Transfer { get; init; } = HdrTransfer.Pq;
    public int? MaxFrames { get; init; }

    /// <summary>Interlaced input becomes one picture per frame (default) or per field; see <see cref="SdrReaderOptions.Deinterlace"/>.</summary>
    public DeinterlaceRate Deinterlace { get; init; } = DeinterlaceRate.Frame;

    /// <summary>Keep non-square pixels and tag them in the output instead of resampling to square pixels.</summary>
    public bool KeepSampleAspectRatio { get; init; }

    /// <summary>
    /// Convert only this segment (<see cref="SegmentPlan"/>) and write it as a part
    /// (<see cref="PartFile"/>) to <see cref="Output"/>, for <see cref="ConcatJob"/> to join. Null: the whole input.
    /// </summary>
    public SegmentSpec? Segment { get; init; }

    /// <summary>Sees each frame pair (SDR input, cached PQ result) in order; not with <see cref="Segment"/>.</summary>
    public IFrameObserver? Observer { get; init; }

    /// <summary>The input's probe when the caller has it (it chose the mapping with it), so the input is probed once; null: the job probes.</summary>
    public MediaInfo? Probe { get; init; }
}

/// <summary>Progress of a conversion: the stage ("network", "encode", "part") and frames done out of the total known.</summary>
public sealed record ConvertProgress(string Stage, int Done, int Total, int Resumed);

/// <summary>
/// What a finished conversion produced; <see cref="Adjustments"/> says what was done to show the input
/// as a player would (turned, range, deinterlaced, pixel shape, timing), <see cref="SampleAspectRatio"/>
/// the pixel shape tagged in the output.
/// </summary>
public sealed record ConvertResult(
    string? Output, string? FramesOut, int Frames, int ResumedFrames, int Width, int Height,
    Rational FrameRate, ContentLightLevel LightLevel, TimeSpan Elapsed)
{
    public IReadOnlyList<InputAdjustment> Adjustments { get; init; } = [];
    public Rational SampleAspectRatio { get; init; } = new(1, 1);
}

/// <summary>
/// SDR clip → HDR10 file: decode (ffmpeg) → map each frame (the network) → cache each frame as a
/// 16-bit PQ PNG → encode HDR10 (x265) with the source's audio, subtitles and chapters.
/// <para>The cache is what makes the job resumable and the output correct: x265 needs MaxCLL/MaxFALL
/// before its first frame, and they are only known after the last frame is mapped; the frames are
/// the expensive part, so each is kept (atomically) as soon as it is made. Running the same request
/// again skips the cached frames and gives the same file as an uninterrupted run (resumed frames are
/// read back from their PNGs, and fresh frames are quantised the same way before they are measured).
/// The cache lives beside the output in <c>.NAME.hdrup-work/</c> and is removed on success.</para>
/// <para>Decoding, mapping and PNG writing run as a pipeline of three threads with small bounded
/// queues, so the network does not wait on I/O and memory stays bounded.</para>
/// <para>With <see cref="ConvertRequest.Segment"/> the same pipeline maps one keyframe-aligned segment
/// and writes a lossless part instead of encoding; <see cref="ConcatJob"/> then feeds the parts'
/// frames to the same encode step (<see cref="EncodeHdr10"/>), so N parts joined give the file one run
/// gives (docs/scale-out.md).</para>
/// </summary>
public static class ConvertJob
{
    private const int QueueDepth = 3;

    public static ConvertResult Run(ConvertRequest request, IProgress<ConvertProgress>? progress = null,
        Action<string>? warning = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var warn = warning ?? (_ => { });
        request = WithReadingInSignature(request);
        if (request.Output is null && request.FramesOut is null)
            throw new ArgumentException("Nothing to write: give an output file, a frames folder, or both.");
        if (request.Segment is not null)
            return RunSegment(request, clock, warn, progress, cancellationToken);

        MediaProbe.CheckInputFile(request.Input);
        string? output = request.Output is null ? null : Path.GetFullPath(request.Output);
        string? framesOut = request.FramesOut is null ? null : Path.GetFullPath(request.FramesOut);
        CheckDestinations(output, framesOut, request.Force);

        var info = ProbeSdr(request, cancellationToken);
        string inputName = MediaProbe.DisplayName(request.Input);

        string work = WorkFolder(output ?? Path.Combine(framesOut!, "frames"));
        PrepareWorkFolder(work, request, warn);

        using var reader = SdrVideoReader.Open(request.Input, ReaderOptions(request, info, warn) with { MaxFrames = request.MaxFrames }, cancellationToken);
        int expected = (int)(request.MaxFrames is int max ? Math.Min(max, reader.ExpectedFrameCount) : reader.ExpectedFrameCount);
        var light = new ContentLightLevelAccumulator();
        (int frames, int resumed) = MapAll((bytes, token) => reader.ReadFrame(bytes, out _, token), reader.Width, reader.Height,
            request.Mapper, work, expected, light, progress, cancellationToken, request.Observer);
        if (frames == 0)
            throw new InvalidDataException($"{inputName}: no frames decoded");

        if (output is not null)
        {
            var target = new Hdr10Target(output, reader.Width, reader.Height, reader.FrameRate, light.Result,
                reader.Info.IsImage ? null : request.Input,
                request.MaxFrames is null ? null : frames / reader.FrameRate.Value,
                request.Crf, request.Preset, request.MasteringDisplay, request.Transfer, request.Force, reader.SampleAspectRatio, reader.Info);
            EncodeHdr10(target, frames, CachedFrames(work, frames), warn, progress, cancellationToken);
        }
        if (framesOut is not null)
            PublishFrames(work, framesOut, frames);

        Directory.Delete(work, recursive: true);
        return new ConvertResult(output, framesOut, frames, resumed, reader.Width, reader.Height,
            reader.FrameRate, light.Result, clock.Elapsed)
        {
            Adjustments = output is not null && EvenSize(reader.Width, reader.Height) is var (ew, eh) && (ew, eh) != (reader.Width, reader.Height)
                ? [.. reader.Adjustments, new InputAdjustment("size", OddSizeNote(reader.Width, reader.Height) + (framesOut is null ? "" : "; the PNG frames keep the whole picture"))]
                : reader.Adjustments,
            SampleAspectRatio = reader.SampleAspectRatio,
        };
    }

    /// <summary>
    /// How the input is read changes the frames (their number and size), so it belongs to the
    /// signature a resumed run's cache and a segment's part must match. The defaults add nothing,
    /// so signatures made before these settings existed still match.
    /// </summary>
    private static ConvertRequest WithReadingInSignature(ConvertRequest request) =>
        request.Deinterlace == DeinterlaceRate.Frame && !request.KeepSampleAspectRatio ? request
            : request with
            {
                Signature = request.Signature + (request.Deinterlace == DeinterlaceRate.Field ? ",field-rate" : "")
                    + (request.KeepSampleAspectRatio ? ",keep-sar" : ""),
            };

    /// <summary>The reader settings a request implies; the same for a whole run and for each segment.</summary>
    private static SdrReaderOptions ReaderOptions(ConvertRequest request, MediaInfo info, Action<string> warn) => new()
    {
        Probe = info,
        Warning = warn,
        CropToEven = false,
        Deinterlace = request.Deinterlace,
        KeepSampleAspectRatio = request.KeepSampleAspectRatio,
    };

    private static MediaInfo ProbeSdr(ConvertRequest request, CancellationToken cancellationToken)
    {
        var info = request.Probe ?? MediaProbe.Probe(request.Input, cancellationToken: cancellationToken);
        if (info.IsHdr && !request.AllowHdrInput)
            throw new InvalidDataException($"{MediaProbe.DisplayName(request.Input)}: already HDR (transfer {info.ColorTransfer}); pass --allow-hdr-input to convert its code values anyway");
        return info;
    }

    /// <summary>
    /// One segment → one part: the whole-file pipeline (same decode, mapping, quantisation, cache and
    /// resume) over the segment's frames, ending in a lossless part instead of the x265 encode.
    /// A part already written by the same job (same source, mapping and segment) is kept as it is,
    /// so a retried task that had in fact finished costs nothing; --force redoes it.
    /// </summary>
    private static ConvertResult RunSegment(ConvertRequest request, Stopwatch clock, Action<string> warn,
        IProgress<ConvertProgress>? progress, CancellationToken cancellationToken)
    {
        SegmentSpec segment = request.Segment!.Value;
        if (request.Output is null)
            throw new ArgumentException("--segment writes a part: give its file with -o (.mkv)");
        if (request.FramesOut is not null || request.MaxFrames is not null)
            throw new ArgumentException("--segment cannot be combined with --frames-out or --max-frames");
        if (request.Observer is not null)
            throw new ArgumentException("--segment converts part of a file; --report and --preview describe a whole one");
        string output = Path.GetFullPath(request.Output);
        string outputName = MediaProbe.DisplayName(output);
        if (!output.EndsWith(".mkv", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{outputName}: a part is a Matroska file; name it .mkv");

        MediaProbe.CheckInputFile(request.Input);
        var info = ProbeSdr(request, cancellationToken);
        // A segment is a run of the container's frames; pictures made from fields are twice as many.
        if (request.Deinterlace == DeinterlaceRate.Field && ScanDetection.Detect(request.Input, info, false, cancellationToken).Interlaced)
            throw new NotSupportedException($"{MediaProbe.DisplayName(request.Input)}: interlaced, and one picture per field cannot be split into segments; convert it on one machine, or with one picture per frame");
        var plan = SegmentPlan.Create(request.Input, info, segment.Count, cancellationToken);
        (int start, int end) = plan.Segment(segment.Index);

        if (File.Exists(output) && !request.Force)
        {
            PartInfo? existing = null;
            try { existing = PartFile.Read(output, cancellationToken); }
            catch (InvalidDataException) { }
            if (existing is null || existing.SourceId != plan.SourceId || existing.Signature != request.Signature
                || existing.Segment != segment.Index || existing.Segments != segment.Count)
                throw new IOException($"{outputName}: already exists and is not segment {segment} of this job; pass --force to overwrite it");
            warn($"{outputName}: segment {segment} of this job is already converted; kept (pass --force to redo it)");
            return new ConvertResult(output, null, existing.Frames, existing.Frames, existing.Width, existing.Height,
                Rational.Parse(existing.FrameRate), new ContentLightLevelAccumulator(existing.MaxCll, existing.MaxFall, existing.LightFrames).Result,
                clock.Elapsed);
        }
        CheckDestinations(output, null, force: true);

        string work = WorkFolder(output);
        PrepareWorkFolder(work, request, warn);
        using var reader = SegmentReader.Open(request.Input, plan, segment.Index, ReaderOptions(request, info, warn), cancellationToken);
        var light = new ContentLightLevelAccumulator();
        (int frames, int resumed) = MapAll(reader.Read, reader.Reader.Width, reader.Reader.Height,
            request.Mapper, work, end - start, light, progress, cancellationToken);
        var part = new PartInfo
        {
            Source = Path.GetFullPath(request.Input),
            SourceId = plan.SourceId,
            Signature = request.Signature,
            Segment = segment.Index,
            Segments = segment.Count,
            FirstFrame = start,
            EndFrame = end,
            TotalFrames = plan.FrameCount,
            Width = reader.Reader.Width,
            Height = reader.Reader.Height,
            SampleAspectRatio = reader.Reader.SampleAspectRatio.ToString(),
            FrameRate = reader.Reader.FrameRate.ToString(),
            MaxCll = light.MaxCll,
            MaxFall = light.MaxFall,
            LightFrames = light.FrameCount,
        };
        PartFile.Write(output, part, CachedFrames(work, frames), progress, cancellationToken);
        Directory.Delete(work, recursive: true);
        return new ConvertResult(output, null, frames, resumed, part.Width, part.Height, reader.Reader.FrameRate, light.Result, clock.Elapsed)
        { Adjustments = reader.Reader.Adjustments, SampleAspectRatio = reader.Reader.SampleAspectRatio };
    }

    /// <summary>The cache folder of a job writing <paramref name="output"/>: hidden, beside it.</summary>
    public static string WorkFolder(string output) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, $".{Path.GetFileName(output)}.hdrup-work");

    private static void CheckDestinations(string? output, string? framesOut, bool force)
    {
        foreach (string? destination in new[] { output, framesOut })
        {
            if (destination is null) continue;
            string name = MediaProbe.DisplayName(destination);
            string folder = Path.GetDirectoryName(destination)!;
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"{name}: folder {folder} does not exist");
            bool exists = destination == framesOut
                ? Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any()
                : File.Exists(destination);
            if (exists && !force)
                throw new IOException($"{name}: already exists; pass --force to overwrite it");
        }
        if (output is not null)
        {
            // Fail now, not after an hour of network time, when the folder is not writable.
            string probe = Path.Combine(Path.GetDirectoryName(output)!, $".hdrup-write-test-{Guid.NewGuid():N}");
            try { File.WriteAllBytes(probe, []); File.Delete(probe); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"{MediaProbe.DisplayName(output)}: cannot write to {Path.GetDirectoryName(output)} ({ex.Message})");
            }
        }
    }

    private sealed record JobStamp(string Input, long InputBytes, DateTime InputModifiedUtc, string Signature, int? MaxFrames, string? Segment = null);

    private static void PrepareWorkFolder(string work, ConvertRequest request, Action<string> warn)
    {
        var input = new FileInfo(request.Input);
        var stamp = new JobStamp(input.Exists ? input.FullName : request.Input, input.Exists ? input.Length : 0,
            input.Exists ? input.LastWriteTimeUtc : default, request.Signature, request.MaxFrames, request.Segment?.ToString());
        string stampPath = Path.Combine(work, "job.json");
        if (Directory.Exists(work))
        {
            JobStamp? previous = null;
            try { previous = JsonSerializer.Deserialize<JobStamp>(File.ReadAllText(stampPath)); }
            catch (Exception ex) when (ex is IOException or JsonException) { }
            if (previous == stamp)
                return;
            warn($"{Path.GetFileName(work)}: left by a different job (other input, model or settings); starting over");
            Directory.Delete(work, recursive: true);
        }
        Directory.CreateDirectory(Path.Combine(work, "frames"));
        AtomicFile.WriteAllText(stampPath, JsonSerializer.Serialize(stamp));
    }

    private static string FramePath(string work, int index) => Path.Combine(work, "frames", $"{index:D6}.png");

    /// <summary>Maps every frame <paramref name="read"/> delivers (planar 8-bit R, G, B; false at the end) into the cache.</summary>
    private static (int Frames, int Resumed) MapAll(Func<byte[], CancellationToken, bool> read, int width, int height,
        IFrameMapper mapper, string work, int expected,
        ContentLightLevelAccumulator light, IProgress<ConvertProgress>? progress, CancellationToken cancellationToken,
        IFrameObserver? observer = null)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = linked.Token;
        using var decoded = new BlockingCollection<(int Index, RgbPlanarFrame? Sdr, bool Cached)>(QueueDepth);
        using var mapped = new BlockingCollection<(int Index, RgbPlanarFrame? Hdr, RgbPlanarFrame? Sdr)>(QueueDepth);
        int frames = 0, resumed = 0, done = 0;

        // Cached frames are not decoded into floats (unless an observer needs the input) nor mapped again;
        // they are only read back at the end of the queue so the light level sees exactly the stored values.
        var decoder = Task.Run(() =>
        {
            try
            {
                int index = 0;
                var bytes = new byte[3 * width * height];
                while (read(bytes, token))
                {
                    RgbPlanarFrame? sdr = null;
                    bool cached = File.Exists(FramePath(work, index));
                    if (!cached || observer is not null)
                    {
                        sdr = new RgbPlanarFrame(width, height);
                        for (int i = 0; i < bytes.Length; i++) sdr.Data[i] = bytes[i] / 255f;
                    }
                    decoded.Add((index++, sdr, cached), token);
                }
                frames = index;
            }
            finally { decoded.CompleteAdding(); }
        }, token);

        // The writer drains every frame already mapped, even after a cancellation: they are the
        // expensive part, and a resumed run picks them up.
        var writer = Task.Run(() =>
        {
            try
            {
                foreach (var (index, hdr, sdr) in mapped.GetConsumingEnumerable())
                {
                    string path = FramePath(work, index);
                    RgbPlanarFrame stored;
                    if (hdr is null)
                    {
                        stored = Png16.Read(path);
                        Interlocked.Increment(ref resumed);
                    }
                    else
                    {
                        UnitInterval.RoundToCode16(hdr.Data);
                        Png16.Write(path, hdr);
                        stored = hdr;
                    }
                    light.Add(stored);
                    observer?.Observe(index, sdr!, stored);
                    int count = Interlocked.Increment(ref done);
                    progress?.Report(new ConvertProgress("network", count, Math.Max(expected, count), resumed));
                }
            }
            catch
            {
                linked.Cancel();
                throw;
            }
        });

        try
        {
            foreach (var (index, sdr, cached) in decoded.GetConsumingEnumerable(token))
            {
                mapped.Add((index, cached ? null : mapper.Map(sdr!, token), observer is null ? null : sdr), token);
                // Frames are large-object-heap arrays, which the GC otherwise collects only once its LOH budget is spent: dead
                // inputs and the mappers' intermediate frames made a quarter of a 1080p conversion's peak (12 frames, fast model:
                // 1.06 GiB, 0.80 GiB collecting here; README, Performance). A collection per frame costs milliseconds against the
                // network's seconds, and leaves the peak to the frames in flight, which a memory budget can plan for.
                GC.Collect();
            }
            mapped.CompleteAdding();
            Task.WaitAll([decoder, writer], token);
        }
        catch
        {
            linked.Cancel();
            mapped.CompleteAdding();
            try { Task.WaitAll([decoder, writer]); } catch (AggregateException) { }
            throw Unwrap(decoder) ?? Unwrap(writer) ?? (Exception)new OperationCanceledException(cancellationToken);
        }
        return (frames, resumed);
    }

    private static Exception? Unwrap(Task task) =>
        task.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException);

    /// <summary>Everything the HDR10 encode depends on besides the frames.</summary>
    internal sealed record Hdr10Target(string Output, int Width, int Height, Rational FrameRate, ContentLightLevel LightLevel,
        string? StreamSource, double? Duration, int Crf, string Preset, MasteringDisplay MasteringDisplay, HdrTransfer Transfer, bool Overwrite,
        Rational SampleAspectRatio, MediaInfo? StreamSourceProbe = null);

    /// <summary>
    /// The HDR10 encode step, the one piece of code behind both <c>convert</c> and <c>concat</c>:
    /// given the same target and the same frames, both write the same bytes.
    /// </summary>
    internal static void EncodeHdr10(Hdr10Target target, int frames, IEnumerable<RgbPlanarFrame> source, Action<string> warn,
        IProgress<ConvertProgress>? progress, CancellationToken cancellationToken)
    {
        var options = new Hdr10EncoderOptions
        {
            FrameRate = target.FrameRate,
            LightLevel = target.LightLevel,
            MasteringDisplay = target.MasteringDisplay,
            Transfer = target.Transfer,
            Crf = target.Crf,
            Preset = target.Preset,
            StreamSource = target.StreamSource,
            StreamSourceProbe = target.StreamSourceProbe,
            Duration = target.Duration,
            Overwrite = target.Overwrite,
            SampleAspectRatio = target.SampleAspectRatio,
            Warning = warn,
        };
        // 4:2:0 needs even sizes; the frames keep the whole picture (PNG frames, parts), the encoder alone crops.
        var (width, height) = EvenSize(target.Width, target.Height);
        using var encoder = Hdr10Encoder.Create(target.Output, width, height, options);
        int done = 0;
        foreach (RgbPlanarFrame frame in source)
        {
            cancellationToken.ThrowIfCancellationRequested();
            encoder.WriteFrame(frame.Width == width && frame.Height == height ? frame : frame.Crop(0, 0, width, height), cancellationToken);
            done++;
            progress?.Report(new ConvertProgress("encode", done, frames, 0));
        }
        if (done != frames)
            throw new InvalidDataException($"{MediaProbe.DisplayName(target.Output)}: {done} frames to encode, {frames} expected");
        encoder.Complete(cancellationToken);
    }

    internal static (int Width, int Height) EvenSize(int width, int height) => (Math.Max(2, width & ~1), Math.Max(2, height & ~1));

    internal static string OddSizeNote(int width, int height)
    {
        var (w, h) = EvenSize(width, height);
        string lost = (w != width, h != height) switch { (true, true) => "last column and row", (true, false) => "last column", _ => "last row" };
        return $"{width}×{height} is odd; encoded as {w}×{h} without the {lost} (4:2:0 needs even sizes)";
    }

    private static IEnumerable<RgbPlanarFrame> CachedFrames(string work, int frames)
    {
        for (int i = 0; i < frames; i++)
            yield return Png16.Read(FramePath(work, i));
    }

    private static void PublishFrames(string work, string framesOut, int frames)
    {
        Directory.CreateDirectory(framesOut);
        for (int i = 0; i < frames; i++)
            File.Copy(FramePath(work, i), Path.Combine(framesOut, $"{i:D6}.png"), overwrite: true);
    }

    /// <summary>A short stable hash of a file's bytes, for <see cref="ConvertRequest.Signature"/>.</summary>
    public static string FileHash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream))[..16].ToLowerInvariant();
    }

    /// <summary>A stable signature from the parts that change the pixels.</summary>
    public static string MakeSignature(params string[] parts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..16].ToLowerInvariant();
}
