using System.Text.Json;
using HdrUp.Models;
using HdrUp.Models.Precision;
using System.Text.Json.Serialization;
using HdrUp.Core;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Train;

/// <summary>
/// One training experiment, BasicSR-style (sections datasets / network / path / train / val / logger), read from
/// snake_case JSON. Every default is the official KPNet protocol (kpnet-architecture.md §11–§12), so an empty
/// file means "the paper's recipe"; a recipe file only lists what it changes. Relative paths are relative to
/// the working directory, as in BasicSR.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>This recipe with the command line's overrides (null: keep the recipe's value).</summary>
    public TrainOptions WithOverrides(long? iterations, int? batch, int? crop, long? valEvery, long? checkpointEvery, int? threads, string? init, string? precision) => this with
    {
        Threads = threads ?? Threads,
        Precision = precision is null ? Precision : NumericPrecisions.Parse(precision),
        Datasets = Datasets with { Train = Datasets.Train with { BatchSize = batch ?? Datasets.Train.BatchSize, GtSize = crop ?? Datasets.Train.GtSize } },
        Train = Train with { TotalIter = iterations ?? Train.TotalIter },
        Val = Val with { ValFreq = valEvery ?? Val.ValFreq },
        Logger = Logger with { SaveCheckpointFreq = checkpointEvery ?? Logger.SaveCheckpointFreq },
        Path = Path with { PretrainNetworkG = init ?? Path.PretrainNetworkG },
    };

    /// <summary>Experiment name (by convention the recipe file's stem).</summary>
    public string Name { get; init; } = "kpnet_qp37_c160_b12_550k";
    /// <summary>Seed of torch (initialisation) and of the data sampler (spec §11: 10).</summary>
    public int ManualSeed { get; init; } = 10;
    /// <summary>Intra-op threads of libtorch; results are bit-reproducible for a given seed and thread count.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>
    /// Arithmetic of forward and backward: <c>bf16</c> (bfloat16 compute, fp32 master weights and optimiser;
    /// <see cref="Bf16Shadow"/>), <c>fp32</c>, or <c>auto</c> = bf16 where the CPU has bf16 units (AVX512-BF16, AMX).
    /// </summary>
    public Models.Precision.NumericPrecision Precision { get; init; } = Models.Precision.NumericPrecision.Auto;
    public DatasetsOptions Datasets { get; init; } = new();
    public NetworkOptions Network { get; init; } = new();
    public PathOptions Path { get; init; } = new();
    public OptimisationOptions Train { get; init; } = new();
    public ValidationOptions Val { get; init; } = new();
    public LoggerOptions Logger { get; init; } = new();

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Nulls are written: several defaults are non-null (e.g. qp 37), so an omitted null would read back as the default.
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads a recipe; absent fields keep the paper's defaults; unknown fields are an error (typos would silently train something else).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Invalid JSON or values (message names the file and the field).</exception>
    public static TrainOptions Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such options file.", path);
        TrainOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TrainOptions>(File.ReadAllText(path), Json)
                      ?? throw new InvalidDataException($"{path}: empty options file.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid options ({e.Message.ReplaceLineEndings(" ")}).", e);
        }
        options.Validate(path);
        return options;
    }

    /// <summary>Parses options from JSON text (<paramref name="source"/> names it in errors).</summary>
    public static TrainOptions Parse(string json, string source = "options")
    {
        TrainOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new InvalidDataException($"{source}: empty options.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: invalid options ({e.Message.ReplaceLineEndings(" ")}).", e);
        }
        options.Validate(source);
        return options;
    }

    /// <summary>The options as indented snake_case JSON (what checkpoints and runs record).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Smallest crop the Pix2Pix loss accepts (its PatchGAN gives one logit at 24 × 24).</summary>
    public const int PatchGanMinimumCrop = 24;

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Checks ranges; the message names <paramref name="source"/> and the field.</summary>
    /// <exception cref="InvalidDataException">A value out of range.</exception>
    public void Validate(string source)
    {
        void Require(bool ok, string field, string problem)
        {
            if (!ok) throw new InvalidDataException($"{source}: {field} {problem}.");
        }
        var t = Datasets.Train;
        Require(!string.IsNullOrWhiteSpace(t.DatarootGt), "datasets.train.dataroot_gt", "is empty");
        Require(!string.IsNullOrWhiteSpace(t.DatarootLq), "datasets.train.dataroot_lq", "is empty");
        Require(t.GtSize >= 8, "datasets.train.gt_size", $"must be at least 8 (is {t.GtSize})");
        Require(t.BatchSize >= 1, "datasets.train.batch_size", $"must be at least 1 (is {t.BatchSize})");
        Require(t.Prefetch >= 1, "datasets.train.prefetch", $"must be at least 1 (is {t.Prefetch})");
        Require(Network.Nf >= 8, "network.nf", $"must be at least 8 (is {Network.Nf})");
        Require(Models.ArchRegistry.Contains(Network.Type), "network.type", $"'{Network.Type}' is not registered (known: {string.Join(", ", Models.ArchRegistry.Names)})");
        Require(Threads >= 1, "threads", $"must be at least 1 (is {Threads})");
        Require(Train.TotalIter >= 1, "train.total_iter", $"must be at least 1 (is {Train.TotalIter})");
        Require(Train.Optimizer.Type.Equals("Adam", StringComparison.OrdinalIgnoreCase), "train.optimizer.type", $"'{Train.Optimizer.Type}' is not supported (Adam only)");
        Require(Train.Optimizer.Lr > 0, "train.optimizer.lr", "must be positive");
        Require(Train.EmaDecay >= 0 && Train.EmaDecay < 1, "train.ema_decay", $"must be 0 (off) or in (0, 1) (is {Train.EmaDecay})");
        Require(Train.Optimizer.Betas is { Length: 2 }, "train.optimizer.betas", "must have two values");
        Require(Train.Scheduler.Type.Equals("MultiStepLR", StringComparison.OrdinalIgnoreCase), "train.scheduler.type", $"'{Train.Scheduler.Type}' is not supported (MultiStepLR only)");
        Require(Train.Scheduler.Milestones.Zip(Train.Scheduler.Milestones.Skip(1)).All(p => p.First < p.Second), "train.scheduler.milestones", "must be strictly increasing");
        Require(TrainingLoss.Known.Contains(Train.Loss.Type, StringComparer.OrdinalIgnoreCase), "train.loss.type",
            $"'{Train.Loss.Type}' is not supported ({string.Join(", ", TrainingLoss.Known)})");
        Require(Train.Loss.Gamma >= 0 && double.IsFinite(Train.Loss.Gamma), "train.loss.gamma", "must be a finite value ≥ 0");
        Require(!Train.Loss.IsLkib || (Models.ArchRegistry.Contains(Network.Type) && Models.ArchRegistry.Get(Network.Type).KPNetOptions is not null),
            "train.loss.type", $"LKIB needs a KPNet-family network (per-branch KIB features), not '{Network.Type}'");
        Require(Train.Loss.TeacherWeight is >= 0 and <= 1, "train.loss.teacher_weight", "must be in [0, 1]");
        Require(Train.Loss.Teacher is null || File.Exists(Train.Loss.Teacher), "train.loss.teacher", $"'{Train.Loss.Teacher}': no such weights file");
        Require(Train.Loss.Teacher is null || !Train.Loss.IsLkib, "train.loss.teacher", "cannot be combined with LKIB (use L1 or L2)");
        Require(Train.Loss.L1Weight >= 0 && double.IsFinite(Train.Loss.L1Weight), "train.loss.l1_weight", "must be a finite value ≥ 0");
        Require(!Train.Loss.IsAdversarial || Train.Loss.Teacher is null, "train.loss.teacher", $"cannot be combined with {Train.Loss.Type} (use L1 or L2)");
        Require(!Train.Loss.IsJsiGan || t.GtSize >= JsiGanDiscriminator.MinimumSide, "datasets.train.gt_size",
            $"must be at least {JsiGanDiscriminator.MinimumSide} for JsiGan (its discriminators halve five times and end in an unpadded 5×5 convolution; is {t.GtSize})");
        Require(Train.Scheduler.LinearDecayFrom is null or >= 0 && (Train.Scheduler.LinearDecayFrom ?? 0) < Train.TotalIter, "train.scheduler.linear_decay_from",
            "must be at least 0 and below train.total_iter");
        Require(!Train.Loss.IsPix2Pix || t.GtSize >= PatchGanMinimumCrop, "datasets.train.gt_size",
            $"must be at least {PatchGanMinimumCrop} for Pix2Pix (the 70×70 PatchGAN's map of patch logits is empty below; is {t.GtSize})");
        Require(Precision != Models.Precision.NumericPrecision.Int8, "precision", "int8 is an inference precision (convert); train in fp32, bf16 or auto");
        Require(!Train.Loss.IsAdversarial || Precision != Models.Precision.NumericPrecision.Bf16, "precision",
            $"bf16 is not supported with {Train.Loss.Type} (the adversarial step trains in fp32; use fp32 or auto)");
        Require(Val.ValFreq >= 0, "val.val_freq", "must be ≥ 0 (0 = never)");
        Require(Datasets.Val.MaxImages >= 0, "datasets.val.max_images", "must be ≥ 0 (0 = all)");
        Require(Logger.SaveCheckpointFreq >= 0, "logger.save_checkpoint_freq", "must be ≥ 0 (0 = only at the end)");
        Require(Logger.PrintFreq >= 1, "logger.print_freq", "must be at least 1");
        Require(Logger.KeepStates >= 1, "logger.keep_states", "must be at least 1");
    }
}

/// <summary>Training and validation data.</summary>
public sealed record DatasetsOptions
{
    public TrainDataOptions Train { get; init; } = new();
    public ValDataOptions Val { get; init; } = new();
}

/// <summary>Training pairs (spec §11): folders paired by sorted file order, random crop, flips/transpose.</summary>
public sealed record TrainDataOptions
{
    /// <summary>Folder of 16-bit PNG HDR10 ground truth (PQ BT.2020 code values).</summary>
    public string DatarootGt { get; init; } = DatasetLayout.Default.HdrFolder(DatasetLayout.Train);
    /// <summary>Folder of 8-bit PNG compressed SDR input.</summary>
    public string DatarootLq { get; init; } = DatasetLayout.Default.SdrFolder(DatasetLayout.Train, 37);
    /// <summary>HEVC QP of the LQ folder (recorded in the model card).</summary>
    public int? Qp { get; init; } = 37;
    /// <summary>Square crop side (official 160).</summary>
    public int GtSize { get; init; } = 160;
    /// <summary>Batch size (official 12).</summary>
    public int BatchSize { get; init; } = 12;
    public bool UseHflip { get; init; } = true;
    public bool UseVflip { get; init; } = true;
    /// <summary>Swap H and W (BasicSR calls it use_rot; with both flips it gives all 8 orientations).</summary>
    public bool UseTranspose { get; init; } = true;
    /// <summary>Batches the background producer prepares ahead of the optimiser.</summary>
    public int Prefetch { get; init; } = 4;
}

/// <summary>Validation pairs (whole frames, batch 1).</summary>
public sealed record ValDataOptions
{
    public string? DatarootGt { get; init; } = DatasetLayout.Default.HdrFolder(DatasetLayout.Test);
    public string? DatarootLq { get; init; } = DatasetLayout.Default.SdrFolder(DatasetLayout.Test, 37);
    /// <summary>Use only the first N pairs (0 = all); a CPU budget knob, the paper uses all.</summary>
    public int MaxImages { get; init; }
}

/// <summary>The network, by registry name (<see cref="Models.ArchRegistry"/>).</summary>
public sealed record NetworkOptions
{
    public string Type { get; init; } = "kpnet";
    public int Nf { get; init; } = Models.ArchRegistry.DefaultWidth;
}

/// <summary>Weights to start from (fine-tuning).</summary>
public sealed record PathOptions
{
    /// <summary>Weights (.safetensors or PyTorch .pth state dict) loaded strictly before the first step; null = PyTorch default init.</summary>
    public string? PretrainNetworkG { get; init; }
}

/// <summary>Optimisation (spec §11).</summary>
public sealed record OptimisationOptions
{
    public long TotalIter { get; init; } = 550_000;
    public AdamOptions Optimizer { get; init; } = new();
    public MultiStepOptions Scheduler { get; init; } = new();
    public LossOptions Loss { get; init; } = new();

    /// <summary>
    /// Decay of the exponential moving average of the weights (BasicSR's <c>ema_decay</c>, <see cref="WeightAverage"/>);
    /// validation and the saved weights use the average. 0 (default, the paper's protocol): no average.
    /// </summary>
    public double EmaDecay { get; init; }
}

public sealed record AdamOptions
{
    public string Type { get; init; } = "Adam";
    public double Lr { get; init; } = 2e-4;
    public double[] Betas { get; init; } = [0.9, 0.99];
    public double Eps { get; init; } = 1e-8;
    public double WeightDecay { get; init; }
}

/// <summary>LR × gamma at each milestone (counted in completed optimiser steps).</summary>
public sealed record MultiStepOptions
{
    public string Type { get; init; } = "MultiStepLR";
    public long[] Milestones { get; init; } = [200_000, 300_000, 400_000, 500_000];
    public double Gamma { get; init; } = 0.5;

    /// <summary>
    /// After this many completed steps the rate falls linearly to 0 at <c>train.total_iter</c> (JSI-GAN's second stage
    /// decays so over its last epochs); null (default): no decay.
    /// </summary>
    public long? LinearDecayFrom { get; init; }
}

/// <summary>Pixel loss on the raw (unclamped) output (paper Tab. 2 rows 2–4; see <see cref="TrainingLoss"/>).</summary>
public sealed record LossOptions
{
    /// <summary>
    /// <c>L1</c> (official), <c>L2</c> (mean squared error), <c>LKIB</c> (L1 + γ·Σ_i L1(head_i(K_i), GT)) or
    /// <c>JsiGan</c> (JSI-GAN's second stage, <see cref="JsiGanAdversary"/>; crops of at least 160) or
    /// <c>Pix2Pix</c> (pix2pix's conditional GAN: the network against a 70×70 PatchGAN discriminator of width
    /// <c>network.nf</c>, generator loss BCE(D(x, G(x)), 1) + <see cref="L1Weight"/>·L1; the discriminator, trained with
    /// ½·[BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)] by its own Adam with <c>train.optimizer</c>'s settings, lives in the
    /// training states only; fp32).
    /// </summary>
    public string Type { get; init; } = "L1";
    public double LossWeight { get; init; } = 1.0;
    /// <summary>
    /// γ of L_KIB (ignored otherwise). Default 0.1: each head is a single conv on a 64-channel feature that never had
    /// to be an image, so its L1 starts several times larger than the main L1 and, summed over three heads, would
    /// dominate the gradient; the paper notes γ "needs to set small to avoid over-penalty".
    /// </summary>
    public double Gamma { get; init; } = 0.1;
    /// <summary>
    /// Knowledge distillation (#11): weights of a trained teacher (with its model card); the loss becomes
    /// loss(Î, GT)·(1 − <see cref="TeacherWeight"/>) + L1(Î, teacher(LQ))·<see cref="TeacherWeight"/>. Null = no teacher.
    /// </summary>
    public string? Teacher { get; init; }
    /// <summary>Share of the teacher term in [0, 1]; 0.5 weighs the teacher's output and the ground truth equally.</summary>
    public double TeacherWeight { get; init; } = 0.5;
    /// <summary>λ of the Pix2Pix loss: weight of the L1 term beside the adversarial one (pix2pix: 100). Ignored otherwise.</summary>
    public double L1Weight { get; init; } = 100;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsLkib => Type.Equals("LKIB", StringComparison.OrdinalIgnoreCase);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsPix2Pix => Type.Equals("Pix2Pix", StringComparison.OrdinalIgnoreCase);

    /// <summary>JSI-GAN's second stage (<see cref="JsiGanAdversary"/>): L2 and the losses of two discriminators.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsJsiGan => Type.Equals("JsiGan", StringComparison.OrdinalIgnoreCase);

    /// <summary>A GAN objective: the run trains discriminators beside the network, in fp32.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsAdversarial => IsPix2Pix || IsJsiGan;
}

/// <summary>Validation: eval mode, batch 1, PSNR (peak 1, negatives set to 0) and ΔE_ITP.</summary>
public sealed record ValidationOptions
{
    /// <summary>Validate every N iterations (and at the end); 0 = only at the end.</summary>
    public long ValFreq { get; init; } = 5_000;
    public string[] Metrics { get; init; } = ["psnr", "delta_e_itp"];
}

/// <summary>Logging and checkpoints.</summary>
public sealed record LoggerOptions
{
    /// <summary>Training-loss row in the CSV every N iterations (mean loss over them).</summary>
    public long PrintFreq { get; init; } = 100;
    /// <summary>Full training state every N iterations (and at the end and on cancellation); 0 = only then.</summary>
    public long SaveCheckpointFreq { get; init; } = 5_000;
    /// <summary>How many training-state files to keep (oldest deleted); weights snapshots are all kept.</summary>
    public int KeepStates { get; init; } = 3;
}
