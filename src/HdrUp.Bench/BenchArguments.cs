using System.Globalization;
using HdrUp.Conversion;
using HdrUp.Models;
using HdrUp.Models.Precision;

namespace HdrUp.Bench;

/// <summary>The bench commands' list-valued arguments, checked with one-line errors naming the option.</summary>
public static class BenchArguments
{
    /// <summary>The registered architectures in a comma-separated --models value.</summary>
    public static string[] Architectures(string list)
    {
        string[] names = Split(list);
        foreach (string name in names)
            if (!ArchRegistry.Contains(name)) throw new ArgumentException($"--models: unknown architecture '{name}' (see 'hdrup model list')");
        return names;
    }

    /// <summary>The frame sizes in a comma-separated value of <paramref name="option"/>.</summary>
    public static string[] FrameSizes(string list, string option)
    {
        string[] names = Split(list);
        foreach (string size in names)
            if (!SpeedBench.Sizes.Any(s => s.Name == size))
                throw new ArgumentException($"{option}: unknown size '{size}'; use {string.Join(", ", SpeedBench.Sizes.Select(s => s.Name))}");
        return names;
    }

    public static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A --weights value NAME=FILE split at its first '='.</summary>
    public static (string Name, string File) NamedFile(string spec)
    {
        string[] parts = spec.Split('=', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : throw new ArgumentException($"--weights {spec}: expected NAME=FILE");
    }

    /// <summary>A weights file with an optional precision suffix, FILE@fp32|bf16|int8 (fp32 without one; an '@' inside a
    /// folder name is part of the file).</summary>
    public static (string File, NumericPrecision Precision) WithPrecision(string file)
    {
        int at = file.LastIndexOf('@');
        if (at < 0 || file.IndexOf('/', at) >= 0) return (file, NumericPrecision.Fp32);
        var precision = NumericPrecisions.Parse(file[(at + 1)..]);
        return precision == NumericPrecision.Auto
            ? throw new ArgumentException($"--weights {file}: give the precision to score (fp32, bf16 or int8), not auto")
            : (file[..at], precision);
    }

    public static List<(string Name, string File)> ParseNamedFiles(IEnumerable<string> specs)
    {
        var list = new List<(string, string)>();
        foreach (string spec in specs)
        {
            var (name, file) = NamedFile(spec);
            if (name.Length == 0) throw new ArgumentException($"--weights {spec}: expected NAME=FILE");
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            list.Add((name, file));
        }
        if (list.Count == 0) throw new ArgumentException("--weights: give at least one NAME=FILE");
        return list;
    }

}
