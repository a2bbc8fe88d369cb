using System.Globalization;
using HdrUp.Core;

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

    /// <summary>The parameter table of <c>hdrup model info</c>: module, params, note, then the totals.</summary>
    public TextTable ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new TextTable("module", "params", "note") { Title = $"{Network} (nf = {Width}, input sides a multiple of {SizeMultiple})" }.Right(1);
        foreach (var m in Modules)
            table.Add(m.Name, m.Parameters.ToString("N0", inv),
                m.Executed ? (m.Buffers > 0 ? $"+{m.Buffers.ToString("N0", inv)} buffer values" : "") : "never executed (kept for checkpoint compatibility)");
        table.Add(true, "total", TotalParameters.ToString("N0", inv), "as the paper counts");
        table.Add("executed", ExecutedParameters.ToString("N0", inv), "used by the forward pass");
        table.Add("state-dict entries", StateDictEntries.ToString(inv), "parameters + buffers");
        return table;
    }

    /// <summary>Every registered architecture at the default width with its parameter count (<c>hdrup model list</c>).</summary>
    public static TextTable Registry()
    {
        var table = new TextTable("name", "params", "description").Right(1);
        foreach (var entry in ArchRegistry.Entries)
        {
            using var network = entry.Factory(ArchRegistry.DefaultWidth);
            table.Add(entry.Name, network.parameters().Sum(p => p.numel()).ToString("N0", CultureInfo.InvariantCulture), entry.Description);
        }
        return table;
    }
}
