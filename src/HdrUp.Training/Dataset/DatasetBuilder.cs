using System.Globalization;
using System.Text.Json;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;

namespace HdrUp.Training.Dataset;

/// <summary>Progress of <see cref="DatasetBuilder.BuildAsync"/>: frames of the current split rendered so far.</summary>
public sealed record BuildProgress(string Split, string Stage, int Done, int Total);

/// <summary>One output frame of the manifest.</summary>
public sealed record BuiltFrame
{
    /// <summary>File name relative to the split folders, identical in *_hdr and every *_sdr/&lt;variant&gt;.</summary>
    public required string Name { get; init; }

    public required string Source { get; init; }

    /// <summary>How the frame was cut: a view tag (yaw/pitch/FOV) or a crop origin "x,y".</summary>
    public required string Cut { get; init; }

    public double SdrExposureStops { get; init; }

    /// <summary>How the SDR input was made: scene variation, operator, encoding, codec and scale (docs/dataset.md).</summary>
    public SdrRecipe? Sdr { get; init; }

    /// <summary>SHA-256 per folder, keyed as <see cref="DatasetLayout.Folder"/> takes them: "hdr", "uncompressed", "qp37", ….</summary>
    public required IReadOnlyDictionary<string, string> Sha256 { get; init; }
}

public sealed record BuiltSplit(string Name, int Width, int Height, IReadOnlyList<BuiltFrame> Frames)
{
    public int Count => Frames.Count;
}

public sealed record DatasetManifest
{
    public int FormatVersion { get; init; } = 1;
    public required DatasetBuildOptions Parameters { get; init; }
    public required string ContentKey { get; init; }
    public required IReadOnlyList<string> Sources { get; init; }
    public required IReadOnlyList<BuiltSplit> Splits { get; init; }
    public required string Encoder { get; init; }
}

/// <summary>What one build did: the manifest and how many frame files were written vs found.</summary>
public sealed record DatasetBuildResult(DatasetManifest Manifest, string ManifestPath, int FilesWritten, int FilesSkipped)
{
    /// <summary>One row a split (frames, size), and a footnote with the files written.</summary>
    public TextTable ToTable()
    {
        var table = new TextTable("split", "frames", "size");
        foreach (var s in Manifest.Splits) table.Add(s.Name, s.Count.ToString(CultureInfo.InvariantCulture), $"{s.Width}×{s.Height}");
        table.Notes.Add($"{FilesWritten} files written, {FilesSkipped} already present; manifest {ManifestPath}");
        return table;
    }
}

/// <summary>
/// The "build" step: scene-referred HDR sources → KPNet training pairs in the HDRTV1K layout
/// (<see cref="DatasetLayout"/>; see docs/dataset.md).
/// Panoramas become rectilinear views (train) and short camera pans (<c>pan_*/&lt;source&gt;/</c>);
/// photographs are cut into crops (test). Ground truth: <see cref="HdrGrading"/>, 16-bit PNG.
/// SDR: BT.2446 Method C, 8-bit PNG (<c>*_sdr/uncompressed/</c>), then HEVC intra at constant QP
/// with x265 and decoded back to 8-bit PNG. A rerun writes only missing files.
/// </summary>
public static class DatasetBuilder
{
    private sealed record PlannedFrame(string Name, SourceFile Source, string Cut, Func<RgbPlanarFrame, RgbPlanarFrame> Render)
    {
        public SdrRecipe Recipe { get; init; } = SdrRecipe.Paper;
    }

    private sealed record Split(string Name, List<PlannedFrame> Frames);

    public static async Task<DatasetBuildResult> BuildAsync(DatasetBuildOptions options, IProgress<BuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string sourcesDir = Path.GetFullPath(options.SourcesDir);
        var layout = new DatasetLayout(Path.GetFullPath(options.OutDir));
        if (!Directory.Exists(sourcesDir)) throw new DirectoryNotFoundException($"{sourcesDir}: sources folder not found.");
        string contentKey = options.ContentKey();
        string manifestPath = layout.ManifestPath;
        var previous = File.Exists(manifestPath)
            ? JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(manifestPath), SourceManifest.Json)
            : null;
        if (previous is not null && previous.ContentKey != contentKey)
            throw new InvalidDataException($"{manifestPath}: this folder was built with other parameters; use a new --out folder (only --qp may change between runs).");

        var sources = LoadSources(sourcesDir, cancellationToken);
        var sourceKeys = sources.Where(s => s.Role != SourceRole.Excluded).Select(s => $"{s.Id} {s.Sha256}").ToList();
        // Frame names number the frames of all sources in id order: another source set renames frames
        // and would leave the old ones beside the new.
        if (previous is not null && !previous.Sources.SequenceEqual(sourceKeys))
        {
            var added = sourceKeys.Except(previous.Sources).Select(k => k.Split(' ')[0]).ToList();
            var removed = previous.Sources.Except(sourceKeys).Select(k => k.Split(' ')[0]).ToList();
            throw new InvalidDataException($"{manifestPath}: this folder was built from other sources (new or changed: {Names(added)}; gone or changed: {Names(removed)}); use a new --out folder.");
        }
        Directory.CreateDirectory(layout.Root);
        var splits = Plan(sources, options);
        int written = 0, skipped = 0;
        var variants = new List<string> { DatasetLayout.Hdr, DatasetLayout.Uncompressed };
        variants.AddRange(options.Qps.Select(DatasetLayout.QpVariant));

        var images = new Dictionary<string, (RgbPlanarFrame Image, double Gain)>();
        foreach (var split in splits)
        {
            var (w, s) = await BuildSplitAsync(split, sourcesDir, layout, options, variants, images, progress, cancellationToken).ConfigureAwait(false);
            written += w;
            skipped += s;
        }

        var built = new List<BuiltSplit>();
        foreach (var split in splits)
        {
            progress?.Report(new BuildProgress(split.Name, "hashing", 0, split.Frames.Count));
            var frames = split.Frames.Select(f => new BuiltFrame
            {
                Name = f.Name,
                Source = f.Source.Id,
                Cut = f.Cut,
                SdrExposureStops = f.Recipe.ExposureStops,
                Sdr = f.Recipe,
                Sha256 = variants.ToDictionary(v => v, v => DatasetFiles.Sha256(Path.Combine(layout.Folder(split.Name, v), f.Name))),
            }).ToList();
            built.Add(new BuiltSplit(split.Name, options.Width, options.Height, frames));
        }
        var manifest = new DatasetManifest
        {
            Parameters = options with { SourcesDir = sourcesDir, OutDir = layout.Root },
            ContentKey = contentKey,
            Sources = sourceKeys,
            Splits = built,
            Encoder = Hevc.Describe(options.X265Preset) + "; cross split and degraded recipes: " + string.Join(", ",
                Enum.GetValues<SdrCodec>().Select(c => $"{c} [{string.Join(" ", SdrDegradation.EncoderArgs(c, 37, options.X265Preset))}] at QP 37")),
        };
        AtomicFile.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, SourceManifest.Json));
        return new DatasetBuildResult(manifest, manifestPath, written, skipped);
    }

    private static string Names(List<string> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids.Take(5)) + (ids.Count > 5 ? $" and {ids.Count - 5} more" : "");

    /// <summary>Reads sources/manifest.json, or, without one, every EXR under the folder (see docs/dataset.md).</summary>
    public static IReadOnlyList<SourceFile> LoadSources(string sourcesDir, CancellationToken cancellationToken)
    {
        string manifestPath = DatasetLayout.SourceManifestPath(sourcesDir);
        if (File.Exists(manifestPath))
        {
            var files = SourceManifest.Load(manifestPath).Files;
            foreach (var f in files.Where(f => f.Role != SourceRole.Excluded))
            {
                string p = Path.Combine(sourcesDir, f.Path);
                if (!File.Exists(p)) throw new FileNotFoundException($"{p}: listed in {manifestPath} but missing; rerun 'hdrup dataset samples'.", p);
                if (DatasetFiles.Sha256(p) != f.Sha256) throw new InvalidDataException($"{p}: SHA-256 differs from {manifestPath}; rerun 'hdrup dataset samples'.");
            }
            return files;
        }

        var found = new List<SourceFile>();
        foreach (string p in Directory.EnumerateFiles(sourcesDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string ext = Path.GetExtension(p).ToLowerInvariant();
            if (ext is not (".exr" or ".hdr" or ".ktx" or ".png" or ".tif" or ".tiff")) continue;
            string rel = DatasetFiles.Relative(sourcesDir, p);
            // A killed samples run leaves its hidden download folder (DatasetLayout.DownloadFolder): not sources.
            if (rel.Split('/').Any(s => s.StartsWith('.'))) continue;
            var probe = FrameFiles.ProbeFile(p, cancellationToken);
            if (!FrameFiles.IsFloat(probe.PixelFormat))
                throw new InvalidDataException($"{p}: not an HDR source ({probe.Codec}, {probe.PixelFormat}); the builder needs scene-referred floating-point images such as OpenEXR.");
            bool test = rel.Split('/').SkipLast(1).Any(s => s.Equals(DatasetLayout.LocalTestFolderName, StringComparison.OrdinalIgnoreCase));
            found.Add(new SourceFile
            {
                Id = Slug(Path.ChangeExtension(rel, null)),
                Path = rel,
                Origin = "local",
                OriginVersion = "",
                Registry = "local",
                Licence = "unknown",
                Kind = probe.Width == 2 * probe.Height ? SourceKind.Panorama : SourceKind.Photo,
                Role = test ? SourceRole.Test : SourceRole.Train,
                SizeBytes = new FileInfo(p).Length,
                Sha256 = DatasetFiles.Sha256(p),
                Width = probe.Width,
                Height = probe.Height,
            });
        }
        if (found.Count == 0) throw new FileNotFoundException($"{sourcesDir}: no {DatasetLayout.ManifestFileName} and no EXR files; run 'hdrup dataset samples' first.");
        return found;
    }

    private static string Slug(string s) =>
        new string(s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');

    private static List<Split> Plan(IReadOnlyList<SourceFile> sources, DatasetBuildOptions o)
    {
        var train = new List<PlannedFrame>();
        var test = new List<PlannedFrame>();
        var pan = new List<PlannedFrame>();
        var used = sources.Where(s => s.Role != SourceRole.Excluded).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        foreach (var s in used)
        {
            var target = s.Role == SourceRole.Test ? test : train;
            if (s.Kind == SourceKind.Panorama)
            {
                if (s.Width != 2 * s.Height)
                    throw new InvalidDataException($"{s.Path}: a panorama must be 2:1 equirectangular, this one is {s.Width}×{s.Height}.");
                for (int p = 0; p < o.Pitches.Count; p++)
                    for (int y = 0; y < o.Yaws.Count; y++)
                    {
                        var view = new ViewSpec(o.Yaws[y], o.Pitches[p], o.Fovs[(y + p) % o.Fovs.Count]);
                        string name = $"{target.Count:0000}_{s.Id}_{view.Tag}.png";
                        target.Add(new PlannedFrame(name, s, view.Tag, img => Equirect.RenderView(img, view, o.Width, o.Height))
                            { Recipe = RecipeFor(name, o, training: target == train) });
                    }
            }
            else
            {
                if (s.Width < o.Width || s.Height < o.Height)
                    throw new InvalidDataException($"{s.Path}: {s.Width}×{s.Height} is smaller than the {o.Width}×{o.Height} frame size.");
                int cols = s.Width / o.Width, rows = s.Height / o.Height;
                int x0 = (s.Width - cols * o.Width) / 2, y0 = (s.Height - rows * o.Height) / 2;
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                    {
                        int x = x0 + c * o.Width, y = y0 + r * o.Height;
                        string name = $"{target.Count:0000}_{s.Id}_r{r}c{c}.png";
                        target.Add(new PlannedFrame(name, s, $"{x},{y}", img => img.Crop(x, y, o.Width, o.Height))
                            { Recipe = RecipeFor(name, o, training: target == train) });
                    }
            }
        }

        var panSources = used.Where(s => s.Kind == SourceKind.Panorama && s.Role == SourceRole.Train).ToList();
        int panCount = Math.Min(o.PanCount, panSources.Count);
        for (int k = 0; k < panCount; k++)
        {
            var s = panSources[k * panSources.Count / panCount];
            for (int f = 0; f < o.PanFrames; f++)
            {
                var view = new ViewSpec(f * o.PanStepDegrees, 0, o.PanFov);
                string name = $"{s.Id}/{f:0000}.png";
                pan.Add(new PlannedFrame(name, s, view.Tag, img => Equirect.RenderView(img, view, o.Width, o.Height)) { Recipe = RecipeFor(name, o, training: false) });
            }
        }

        // Cross-grading: the test crops again, with SDR from operators and codecs that training never uses.
        var cross = test.Select((f, i) => f with { Recipe = SdrDegradation.Cross(i) }).ToList();
        return new[] { new Split(DatasetLayout.Train, train), new Split(DatasetLayout.Test, test), new Split(DatasetLayout.Pan, pan), new Split(DatasetLayout.Cross, cross) }
            .Where(s => s.Frames.Count > 0).ToList();
    }

    /// <summary>
    /// The SDR recipe of a frame: a draw from the degradation model for training frames of a Degraded build; BT.2446C
    /// otherwise, with a seeded exposure offset per name for Mixed (every split, as before the degradation model).
    /// </summary>
    private static SdrRecipe RecipeFor(string name, DatasetBuildOptions o, bool training)
    {
        if (o.Sdr == SdrTone.Degraded) return training ? SdrDegradation.DrawTraining(name, o.Seed, o.PaperShare) : SdrRecipe.Paper;
        if (o.Sdr != SdrTone.Mixed) return SdrRecipe.Paper;
        // A stable hash (string.GetHashCode is randomised per process) so reruns agree.
        uint h = SdrDegradation.StableHash(name, o.Seed);
        return SdrRecipe.Paper with { ExposureStops = o.MixedExposureStops[(int)(h % (uint)o.MixedExposureStops.Count)] };
    }

    private static async Task<(int Written, int Skipped)> BuildSplitAsync(Split split, string sourcesDir, DatasetLayout layout, DatasetBuildOptions o,
        List<string> variants, Dictionary<string, (RgbPlanarFrame Image, double Gain)> images, IProgress<BuildProgress>? progress, CancellationToken ct)
    {
        var missing = variants.ToDictionary(v => v,
            v => split.Frames.Select((f, i) => (f, i)).Where(t => !File.Exists(Path.Combine(layout.Folder(split.Name, v), t.f.Name))).Select(t => t.i).ToHashSet());
        int total = variants.Count * split.Frames.Count;
        int toWrite = missing.Values.Sum(m => m.Count);
        if (toWrite == 0)
        {
            progress?.Report(new BuildProgress(split.Name, "complete, skipped", split.Frames.Count, split.Frames.Count));
            return (0, total);
        }

        string tmp = layout.StagingFolder(split.Name);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        // One stream per variant and codec key (codec + down-scale): the uncompressed PNG writer, and per QP one
        // encoder for each codec the split's recipes use (only x265 intra in a paper-style split).
        var streams = new Dictionary<string, (string Variant, SdrRecipe Recipe, FfmpegSink Sink, List<int> Order)>();
        string StreamKey(string variant, SdrRecipe r) => variant == DatasetLayout.Uncompressed ? variant : $"{variant}-{r.CodecKey}";
        try
        {
            string size = $"{o.Width}x{o.Height}";
            FfmpegSink Open(string variant, SdrRecipe recipe, string key)
            {
                Directory.CreateDirectory(Path.Combine(tmp, key));
                return variant == DatasetLayout.Uncompressed
                    ? new FfmpegSink(Hevc.PngSequenceArgs("rgb24", size, Path.Combine(tmp, key)), $"{split.Name} SDR PNG writer")
                    : new FfmpegSink(Hevc.EncodeArgs(o.Width, o.Height, recipe, DatasetLayout.QpOf(variant), o.X265Preset,
                        Path.Combine(tmp, Hevc.StreamName(key, recipe))), $"{split.Name} {recipe.Codec} {variant}");
            }

            var needed = split.Frames.Select((f, i) => i).Where(i => missing.Values.Any(m => m.Contains(i))).ToList();
            int done = 0;
            foreach (int i in needed)
            {
                ct.ThrowIfCancellationRequested();
                var f = split.Frames[i];
                if (!images.TryGetValue(f.Source.Id, out var src))
                {
                    images.Clear(); // frames are grouped by source: keep one decoded image at a time
                    progress?.Report(new BuildProgress(split.Name, $"decoding {f.Source.Path}", done, needed.Count));
                    var img = FrameFiles.ReadHdr(Path.Combine(sourcesDir, f.Source.Path), ct);
                    if (img.Width != f.Source.Width || img.Height != f.Source.Height)
                        throw new InvalidDataException($"{f.Source.Path}: decoded {img.Width}×{img.Height}, manifest says {f.Source.Width}×{f.Source.Height}.");
                    src = (img, HdrGrading.ExposureGain(img, f.Source.Path));
                    images[f.Source.Id] = src;
                }
                var view = f.Render(src.Image); // a new frame: the source image stays untouched for the next view
                SdrDegradation.ApplyScene(view, f.Recipe);
                var gt = HdrGrading.ToPqBt2020(view, src.Gain);
                if (missing[DatasetLayout.Hdr].Contains(i))
                {
                    Png16.Write(Path.Combine(layout.HdrFolder(split.Name), f.Name), gt);
                }
                var sdrKeys = variants.Where(k => k != DatasetLayout.Hdr && missing[k].Contains(i)).ToList();
                if (sdrKeys.Count > 0)
                {
                    var sdr = FrameFiles.ToRgb24(SdrDegradation.Render(gt, f.Recipe, ct));
                    foreach (var k in sdrKeys)
                    {
                        string key = StreamKey(k, f.Recipe);
                        if (!streams.TryGetValue(key, out var stream))
                            streams[key] = stream = (k, f.Recipe, Open(k, f.Recipe, key), new List<int>());
                        await stream.Sink.WriteAsync(sdr, ct).ConfigureAwait(false);
                        stream.Order.Add(i);
                    }
                }
                done++;
                progress?.Report(new BuildProgress(split.Name, "rendering and encoding", done, needed.Count));
            }

            foreach (var (key, stream) in streams)
            {
                progress?.Report(new BuildProgress(split.Name, $"finishing {key}", done, needed.Count));
                await stream.Sink.CompleteAsync(ct).ConfigureAwait(false);
                if (stream.Variant != DatasetLayout.Uncompressed)
                    await Ffmpeg.RunAsync(Hevc.DecodeArgs(Path.Combine(tmp, Hevc.StreamName(key, stream.Recipe)), Path.Combine(tmp, key), o.Width, o.Height),
                        $"{split.Name} {key} decode", ct).ConfigureAwait(false);
            }

            // Only now, with every process finished, move frames into place: an interrupted run leaves no partial outputs.
            foreach (var (key, stream) in streams)
            {
                for (int j = 0; j < stream.Order.Count; j++)
                {
                    string from = Path.Combine(tmp, key, $"{j:000000}.png");
                    if (!File.Exists(from)) throw new IOException($"{split.Name} {key}: ffmpeg wrote fewer frames than sent ({j} of {stream.Order.Count}).");
                    AtomicFile.MoveIntoPlace(from, Path.Combine(layout.SdrFolder(split.Name, stream.Variant), split.Frames[stream.Order[j]].Name));
                }
            }
        }
        finally
        {
            foreach (var stream in streams.Values) await stream.Sink.DisposeAsync().ConfigureAwait(false);
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
        return (toWrite, total - toWrite);
    }
}
