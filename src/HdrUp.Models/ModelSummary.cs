using System.Globalization;
using System.Text;

namespace HdrUp.Models;

/// <summary>Parameters of one top-level module (the paper's "Params" column, per module).</summary>
/// <param name="Name">Top-level module name = state-dict key prefix.</param>
/// <param name="Parameters">Trainable parameter count (buffers excluded).</param>
/// <param name="Buffers">Buffer element count (BatchNorm running statistics, counter).</param>
/// <param name="Executed">False for modules kept only for checkpoint compatibility.</param>
public sealed record ModuleParameters(string Name, long Parameters, long Buffers, bool Executed);

/// <summary>
/// Parameter counts of a network for <c>hdrup model info</c>: per top-level module, total (as the paper counts,
/// never-executed modules included) and executed in the forward pass.
/// </summary>
/// <param name="Network">Network class name.</param>
/// <param name="Width">Feature width nf.</param>
/// <param name="SizeMultiple">Required input size multiple.</param>
/// <param name="Modules">Top-level modules in state-dict order.</param>
/// <param name="TotalParameters">All parameters.</param>
/// <param name="ExecutedParameters">Parameters of modules the forward pass runs.</param>
/// <param name="StateDictEntries">Entries of the state dict (parameters + buffers).</param>
public sealed record ModelSummary(string Network, int Width, int SizeMultiple, IReadOnlyList<ModuleParameters> Modules,
    long TotalParameters, long ExecutedParameters, int StateDictEntries)
{
    /// <summary>Counts the parameters of <paramref name="network"/>.</summary>
    public static ModelSummary Of(HdrNetwork network)
    {
        var never = new HashSet<string>(network.NeverExecutedModules);
        var modules = new List<ModuleParameters>();
        foreach (var (name, child) in network.named_children())
        {
            long p = child.parameters().Sum(t => t.numel());
            long b = child.buffers().Sum(t => t.numel());
            modules.Add(new ModuleParameters(name, p, b, !never.Contains(name)));
        }
        long total = network.parameters().Sum(t => t.numel());
        long executed = modules.Where(m => m.Executed).Sum(m => m.Parameters);
        return new ModelSummary(network.GetName(), network.Width, network.SizeMultiple, modules, total, executed,
            network.state_dict().Count);
    }

    /// <summary>A plain-text table (module, params, note) followed by the totals.</summary>
    public string ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        int w = Math.Max(10, Modules.Max(m => m.Name.Length));
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"{Network} (nf = {Width}, input multiple of {SizeMultiple})");
        sb.AppendLine(inv, $"{"module".PadRight(w)}  {"params",12}");
        foreach (var m in Modules)
            sb.AppendLine(inv, $"{m.Name.PadRight(w)}  {m.Parameters,12:N0}{(m.Executed ? "" : "  (never executed)")}");
        sb.AppendLine(inv, $"{"total".PadRight(w)}  {TotalParameters,12:N0}");
        sb.AppendLine(inv, $"{"executed".PadRight(w)}  {ExecutedParameters,12:N0}");
        sb.Append(inv, $"state-dict entries: {StateDictEntries}");
        return sb.ToString();
    }
}
