using System.Globalization;

namespace HdrUp.Core;

/// <summary>What this process has used and what the machine gives it, for memory budgets and the reports that check them.</summary>
public static class ProcessMemory
{
    /// <summary>
    /// This process's resident-memory high-water mark (VmHWM in /proc/self/status) in bytes; -1 where the kernel does not
    /// say. Native memory (libtorch, ONNX Runtime) counts too, which the GC's own figures leave out.
    /// </summary>
    public static long PeakResidentBytes() => MemInfoBytes("/proc/self/status", "VmHWM:") ?? -1;

    /// <summary>
    /// The memory this process may have at most: the machine's (MemTotal), or its container's limit (cgroup v2 memory.max,
    /// v1 memory.limit_in_bytes) when that is smaller. A property of the machine, not of the moment, unlike MemAvailable, so
    /// budgets derived from it come out the same on every run. Outside Linux, what the GC takes as available.
    /// </summary>
    public static long PhysicalBytes()
    {
        long? total = MemInfoBytes("/proc/meminfo", "MemTotal:");
        if (total is null) return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long? limit = LimitBytes("/sys/fs/cgroup/memory.max") ?? LimitBytes("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        return limit is long l && l < total ? l : total.Value;
    }

    // A "Key:   123 kB" line of /proc/meminfo or /proc/self/status, in bytes.
    private static long? MemInfoBytes(string path, string key)
    {
        try
        {
            string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            // The kB value is right-aligned after a tab, so from ~10 GB on no space precedes it.
            return line is null ? null : long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    // "max" (v2) and the v1 "unlimited" (a page-rounded long.MaxValue) parse as no limit or as more than the machine has.
    private static long? LimitBytes(string path)
    {
        try
        {
            return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
