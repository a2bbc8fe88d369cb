namespace HdrUp.Core;

/// <summary>How busy the machine is, for reports of measurements taken on a shared machine.</summary>
public static class MachineLoad
{
    /// <summary>The 1, 5 and 15 minute load averages of /proc/loadavg, e.g. "load 3.10 2.95 2.80"; "load unknown" elsewhere.</summary>
    public static string Describe()
    {
        try
        {
            return "load " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "load unknown";
        }
    }
}
