using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using HdrUp.Core;

namespace HdrUp.Training.Train;

/// <summary>Everything but the tensors of a training state: where the run is and how to continue it.</summary>
public sealed record TrainingStateInfo
{
    /// <summary>Completed optimiser steps.</summary>
    public required long Iteration { get; init; }
    /// <summary>Training wall time so far, seconds (data loading and validation included, start-up excluded).</summary>
    public double ElapsedSeconds { get; init; }
    public required TrainOptions Options { get; init; }
    /// <summary>Data sampler state: its seed and the next batch to draw (the sampler is counter-based, see <see cref="PatchSampler"/>).</summary>
    public required SamplerState Sampler { get; init; }
    /// <summary>Scheduler state in PyTorch's terms (last_epoch = completed steps).</summary>
    public required SchedulerState Scheduler { get; init; }
    /// <summary>libtorch intra-op threads the run used; bit-exact continuation needs the same count.</summary>
    public int Threads { get; init; }
    public double? LastValPsnr { get; init; }
    public double? LastValDeltaEItp { get; init; }
    public long? LastValIteration { get; init; }

    /// <summary>Set by <see cref="TrainingState.Load"/>: the state held a weight average and it was loaded (not stored).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AverageLoaded { get; init; }
}

public sealed record SamplerState(long Seed, long NextBatch);

public sealed record SchedulerState(double BaseLr, long[] Milestones, double Gamma, long LastEpoch);

/// <summary>
/// Training-state file (<c>training_states/ITER.state</c>, BasicSR's name): a magic line, the
/// <see cref="TrainingStateInfo"/> as JSON, torch's CPU generator state, the network state dict (TorchSharp
/// format: parameters and BatchNorm buffers) and the Adam state (TorchSharp <c>save_state_dict</c>: per parameter
/// step, exp_avg, exp_avg_sq, plus the group options). Written atomically.
/// </summary>
public static class TrainingState
{
    private const string Magic = "HDRUP-TRAINING-STATE";
    private const int Version = 1;

    /// <summary>Writes the state to <paramref name="path"/> through a temporary file.</summary>
    /// <param name="auxiliary">Extra trained modules written after the network (the L_KIB heads, the Pix2Pix discriminator);
    /// null for a plain run, whose file format is unchanged. Load must be given the same.</param>
    /// <param name="auxiliaryOptimizer">A second optimiser written after the first (the discriminator's); null for the others.</param>
    public static void Save(string path, TrainingStateInfo info, nn.Module network, OptimizerHelper optimizer, nn.Module? auxiliary = null,
        OptimizerHelper? auxiliaryOptimizer = null, nn.Module? average = null)
    {
        AtomicFile.Write(path, (Stream stream) =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(JsonSerializer.Serialize(info, TrainOptions.Json));
            using (var rng = torch.random.get_rng_state())
            {
                byte[] bytes = rng.data<byte>().ToArray();
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
            network.save(writer);
            auxiliary?.save(writer);
            optimizer.save_state_dict(writer);
            auxiliaryOptimizer?.save_state_dict(writer);
            // Last, so states written without an average (older runs, ema_decay 0) keep their layout.
            average?.save(writer);
            writer.Flush();
        });
    }

    /// <summary>Reads only the JSON part (cheap; for listing and for the options of a run to resume).</summary>
    /// <exception cref="InvalidDataException">Not a training-state file (message names it).</exception>
    public static TrainingStateInfo ReadInfo(string path)
    {
        using var stream = OpenChecked(path, out var reader);
        using (reader) return ReadHeader(path, reader);
    }

    /// <summary>Restores network, optimiser and torch's generator from <paramref name="path"/>; returns the info.</summary>
    /// <exception cref="InvalidDataException">Not a training-state file, or it does not fit the network/optimiser.</exception>
    /// <remarks>A state saved without a weight average leaves <paramref name="average"/> as it is (the caller starts it from the network).</remarks>
    public static TrainingStateInfo Load(string path, nn.Module network, OptimizerHelper optimizer, nn.Module? auxiliary = null,
        OptimizerHelper? auxiliaryOptimizer = null, nn.Module? average = null)
    {
        using var stream = OpenChecked(path, out var reader);
        using (reader)
        {
            var info = ReadHeader(path, reader);
            try
            {
                int n = reader.ReadInt32();
                byte[] rngBytes = reader.ReadBytes(n);
                network.load(reader, strict: true);
                auxiliary?.load(reader, strict: true);
                optimizer.load_state_dict(reader);
                auxiliaryOptimizer?.load_state_dict(reader);
                bool averageLoaded = average is not null && stream.Position < stream.Length;
                if (averageLoaded) average!.load(reader, strict: true);
                using var rng = torch.tensor(rngBytes, dtype: ScalarType.Byte);
                torch.random.set_rng_state(rng);
                info = info with { AverageLoaded = averageLoaded };
            }
            catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
            {
                throw new InvalidDataException($"{path}: training state does not fit this network/optimiser or is truncated ({e.Message.ReplaceLineEndings(" ")}).", e);
            }
            return info;
        }
    }

    /// <summary>The newest <c>*.state</c> (highest iteration) in <paramref name="folder"/>, or null.</summary>
    public static string? Latest(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        return Directory.GetFiles(folder, "*.state")
            .Select(f => (File: f, Iter: long.TryParse(Path.GetFileNameWithoutExtension(f), out long i) ? i : -1))
            .Where(x => x.Iter >= 0)
            .OrderByDescending(x => x.Iter)
            .Select(x => x.File)
            .FirstOrDefault();
    }

    private static FileStream OpenChecked(string path, out BinaryReader reader)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such training state.", path);
        var stream = File.OpenRead(path);
        reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        return stream;
    }

    private static TrainingStateInfo ReadHeader(string path, BinaryReader reader)
    {
        try
        {
            if (reader.ReadString() != Magic) throw new InvalidDataException($"{path}: not an HdrUp training state.");
            int version = reader.ReadInt32();
            if (version != Version) throw new InvalidDataException($"{path}: training-state version {version}, this build reads {Version}.");
            return JsonSerializer.Deserialize<TrainingStateInfo>(reader.ReadString(), TrainOptions.Json)
                   ?? throw new InvalidDataException($"{path}: empty training-state header.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a readable HdrUp training state ({e.Message.ReplaceLineEndings(" ")}).", e);
        }
    }
}
