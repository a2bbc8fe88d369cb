using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Metrics;
using HdrUp.Models;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Training.Train;

/// <summary>What the trainer is doing.</summary>
public enum TrainStage { Loading, Training, Validating, Saving, Done }

/// <summary>Progress report: after every optimiser step, and when the stage changes.</summary>
/// <param name="ItersPerSecond">Mean over the last ~20 steps of this session (0 until two steps ran).</param>
/// <param name="Eta">Remaining steps ÷ it/s (excludes validation and checkpoint pauses).</param>
public sealed record TrainProgress(TrainStage Stage, long Iteration, long TotalIterations, double Loss, double LearningRate,
    double ItersPerSecond, TimeSpan? Eta, double? ValPsnr = null, double? ValDeltaEItp = null)
{
    /// <summary>One line for logs and progress bars: stage, step, loss, LR, speed, ETA and the last validation.</summary>
    public string Describe()
    {
        string stage = Stage switch
        {
            TrainStage.Loading => "loading data",
            TrainStage.Validating => "validating",
            TrainStage.Saving => "saving state",
            TrainStage.Done => "done",
            _ => "training",
        };
        string eta = Eta is { } e ? $"{(int)e.TotalHours}:{e:mm\\:ss}" : "-";
        string val = ValPsnr is null ? "" : $" | val {Format(ValPsnr, "F2")} dB ΔE {Format(ValDeltaEItp, "F2")}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{stage} {Iteration}/{TotalIterations} loss {Loss:F5} lr {LearningRate:G3} {ItersPerSecond:F2} it/s ETA {eta}{val}");
    }

    /// <summary>A value as text, "-" when absent.</summary>
    public static string Format(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
}

/// <summary>Outcome of <see cref="Trainer.Run"/>.</summary>
public sealed record TrainResult(long Iteration, double WallSeconds, double? ValPsnr, double? ValDeltaEItp,
    string WeightsPath, string? LastStatePath);

/// <summary>
/// The official KPNet training loop (kpnet-architecture.md §11) on libtorch CPU: train mode throughout, L1 on the raw
/// output (or the L2 / L_KIB ablations of paper Tab. 2, <see cref="TrainingLoss"/>), Adam, MultiStepLR stepped after every optimiser step, validation in eval mode at batch 1, periodic
/// atomic training states. Deterministic for a given seed and thread count; a resumed run continues bit for bit.
/// <para>Output folder (BasicSR layout): <c>options.json</c>, <c>train_log.csv</c>, <c>train_curves.png</c>,
/// <c>training_states/ITER.state</c> (full state, last <see cref="LoggerOptions.KeepStates"/> kept),
/// <c>models/net_g_ITER.safetensors</c>, <c>models/net_g_latest.safetensors</c> (+ card), and at the end
/// <c>NAME.safetensors</c> + <c>NAME.card.json</c>.</para>
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainOptions options;
    private readonly string outDir;

    // The weight average of the run in progress (null without ema_decay): what validation scores and the weights files hold.
    private WeightAverage? averaged;

    public Trainer(TrainOptions options, string outDir)
    {
        options.Validate("options");
        this.options = options;
        this.outDir = outDir;
    }

    public void Dispose()
    {
        Network?.Dispose();
        Network = null;
    }

    public string StatesDir => Path.Combine(outDir, "training_states");
    public string ModelsDir => Path.Combine(outDir, "models");
    public string LogPath => Path.Combine(outDir, "train_log.csv");
    public string PlotPath => Path.Combine(outDir, "train_curves.png");
    public string FinalWeightsPath => Path.Combine(outDir, options.Name + ".safetensors");

    /// <summary>The network after <see cref="Run"/> (train mode); the caller may inspect it, the trainer owns it.</summary>
    public HdrNetwork? Network { get; private set; }

    /// <summary>
    /// Trains up to <c>train.total_iter</c> steps. With <paramref name="resumeFrom"/> (a <c>.state</c> file) the run
    /// continues from it; its options must describe the same network, data and sampler (the iteration count, val and
    /// checkpoint frequencies may change). On cancellation the state at the last completed step is saved, then
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    /// <exception cref="InvalidDataException">Unreadable data or state; the message names the file.</exception>
    public TrainResult Run(string? resumeFrom = null, IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        var o = options;
        var t = o.Train;
        Directory.CreateDirectory(outDir);
        torch.set_num_threads(o.Threads);
        torch.random.manual_seed(o.ManualSeed);
        var schedule = MultiStepSchedule.From(t);
        progress?.Report(new TrainProgress(TrainStage.Loading, 0, t.TotalIter, double.NaN, schedule.BaseLearningRate, 0, null));

        Network?.Dispose();
        var net = Network = ArchRegistry.Create(o.Network.Type, o.Network.Nf);
        if (o.Path.PretrainNetworkG is { } init) Checkpoint.Load(net, init);
        net.train();
        // L_KIB only: the per-branch HDR heads (trained with the network, saved in the training states, never in the
        // weights). Built after the network so the network's initialisation is the same for every loss.
        using var heads = t.Loss.IsLkib ? new Models.Blocks.BranchHeads(o.Network.Nf, ((KPNet)net).Options.Branches) : null;
        heads?.train();
        var trainable = heads is null ? net.parameters() : net.parameters().Concat(heads.parameters());
        // Distillation: the teacher runs in eval mode without gradients on the same (augmented) LQ crops.
        using var teacher = t.Loss.Teacher is { } teacherPath ? ModelStore.Load(teacherPath).Network : null;
        // bf16: the forward and backward passes run on a bf16 copy of the network (and heads, and teacher).
        bool bf16 = ComputePrecision(o) == NumericPrecision.Bf16;
        using var shadow = bf16 ? new Bf16Shadow(heads is null ? [net] : [net, heads], BuildModules(o, heads is not null)) : null;
        var computeNet = (HdrNetwork?)shadow?.Copies[0] ?? net;
        var computeHeads = (Models.Blocks.BranchHeads?)shadow?.Copies.ElementAtOrDefault(1) ?? heads;
        computeNet.train();
        computeHeads?.train();
        if (bf16) teacher?.to(ScalarType.BFloat16);
        using var adam = torch.optim.Adam(trainable, t.Optimizer.Lr, t.Optimizer.Betas[0], t.Optimizer.Betas[1],
            t.Optimizer.Eps, t.Optimizer.WeightDecay);
        // GAN objectives only (Pix2Pix, JsiGan): the discriminators and their own Adam with the same settings, as their
        // papers train both; built last so the network's initialisation is the same for every loss.
        using var adversary = Adversary.For(o);
        var adamD = adversary?.Optimizer;
        var auxiliary = (nn.Module?)heads ?? adversary?.Module;
        // Built last: its network draws nothing from torch's generator that the others' initialisation would see.
        using var average = t.EmaDecay > 0 ? new WeightAverage(net, o.Network.Type, o.Network.Nf, t.EmaDecay) : null;
        averaged = average;

        long iteration = 0;
        double elapsedBefore = 0;
        double? valPsnr = null, valDe = null;
        long? valIteration = null;
        if (resumeFrom is not null)
        {
            var info = TrainingState.Load(resumeFrom, net, adam, auxiliary, adamD, average?.Network);
            if (average is not null && !info.AverageLoaded) average.Reset();
            CheckCompatible(resumeFrom, info.Options, o);
            iteration = info.Iteration;
            elapsedBefore = info.ElapsedSeconds;
            (valPsnr, valDe, valIteration) = (info.LastValPsnr, info.LastValDeltaEItp, info.LastValIteration);
            net.train();
        }
        o.Save(Path.Combine(outDir, "options.json"));

        var train = PairedImages.Load(o.Datasets.Train.DatarootGt, o.Datasets.Train.DatarootLq, o.Threads, 0, ct);
        var sampler = new PatchSampler(train, o.Datasets.Train, o.ManualSeed);
        var v = o.Datasets.Val;
        PairedImages? val = v.DatarootGt is not null && v.DatarootLq is not null && o.Val.ValFreq >= 0
            ? PairedImages.Load(v.DatarootGt, v.DatarootLq, o.Threads, v.MaxImages, ct)
            : null;
        var log = TrainingLog.Open(LogPath, iteration);

        var clock = Stopwatch.StartNew();
        double Seconds() => elapsedBefore + clock.Elapsed.TotalSeconds;
        string? lastState = null;
        long lastSaved = resumeFrom is null ? -1 : iteration;
        var stepTimes = new Queue<double>();
        double lossSum = 0; int lossCount = 0; double lastLoss = double.NaN;

        void SaveAll(long it)
        {
            progress?.Report(new TrainProgress(TrainStage.Saving, it, t.TotalIter, lastLoss, schedule.LearningRateAfter(it), 0, null, valPsnr, valDe));
            var info = new TrainingStateInfo
            {
                Iteration = it, ElapsedSeconds = Seconds(), Options = o, Threads = o.Threads,
                Sampler = new SamplerState(o.ManualSeed, it),
                Scheduler = new SchedulerState(schedule.BaseLearningRate, schedule.Milestones.ToArray(), schedule.Gamma, it),
                LastValPsnr = valPsnr, LastValDeltaEItp = valDe, LastValIteration = valIteration,
            };
            lastState = Path.Combine(StatesDir, $"{it}.state");
            TrainingState.Save(lastState, info, net, adam, auxiliary, adamD, average?.Network);
            SaveWeights(Path.Combine(ModelsDir, $"net_g_{it}.safetensors"), it, Seconds(), valPsnr, valDe, withCard: false);
            SaveWeights(Path.Combine(ModelsDir, "net_g_latest.safetensors"), it, Seconds(), valPsnr, valDe);
            PruneStates();
            CurvePlot.Save(PlotPath, log.Rows);
            lastSaved = it;
        }

        try
        {
            using var producer = new BatchProducer(sampler, o.Datasets.Train, iteration);
            var step = new Stopwatch();
            while (iteration < t.TotalIter)
            {
                ct.ThrowIfCancellationRequested();
                step.Restart();
                var batch = producer.Take(ct);
                double lr = schedule.LearningRateAfter(iteration);
                foreach (var group in adam.ParamGroups) group.LearningRate = lr;
                foreach (var group in adamD?.ParamGroups ?? []) group.LearningRate = lr;
                float lossValue;
                using (var scope = torch.NewDisposeScope())
                {
                    var shape = new long[] { batch.Size, 3, batch.Crop, batch.Crop };
                    var lq = torch.tensor(batch.Lq, shape);
                    var gt = torch.tensor(batch.Gt, shape);
                    if (bf16) lq = lq.to(ScalarType.BFloat16);
                    shadow?.Pull();
                    var loss = adversary is not null ? adversary.Step(computeNet, lq, gt)
                        : teacher is null
                        ? TrainingLoss.Compute(t.Loss.Type, computeNet, computeHeads, lq, gt, t.Loss.Gamma)
                        : TrainingLoss.Distill(t.Loss.Type, computeNet, teacher, lq, gt, t.Loss.TeacherWeight);
                    if (t.Loss.LossWeight != 1.0) loss = loss * t.Loss.LossWeight;
                    adam.zero_grad();
                    loss.backward();
                    shadow?.Push();
                    adam.step();
                    average?.Update();
                    lossValue = loss.item<float>();
                }
                iteration++;
                lastLoss = lossValue;
                if (!float.IsFinite(lossValue))
                    throw new InvalidDataException($"{LogPath}: loss became {lossValue} at iteration {iteration}; lower the learning rate or check the data.");
                lossSum += lossValue; lossCount++;

                // Step time = waiting for the batch + forward/backward/update; validation and saving pauses excluded.
                stepTimes.Enqueue(step.Elapsed.TotalSeconds);
                if (stepTimes.Count > 20) stepTimes.Dequeue();
                double itps = stepTimes.Count >= 2 ? stepTimes.Count / stepTimes.Sum() : 0;
                TimeSpan? eta = itps > 0 ? TimeSpan.FromSeconds((t.TotalIter - iteration) / itps) : null;
                progress?.Report(new TrainProgress(TrainStage.Training, iteration, t.TotalIter, lossValue, lr, itps, eta, valPsnr, valDe));

                if (iteration % o.Logger.PrintFreq == 0)
                {
                    log.Append(new LogRow(iteration, lossSum / lossCount, lr, null, null, Seconds()));
                    lossSum = 0; lossCount = 0;
                }
                if (val is not null && o.Val.ValFreq > 0 && iteration % o.Val.ValFreq == 0)
                {
                    progress?.Report(new TrainProgress(TrainStage.Validating, iteration, t.TotalIter, lossValue, lr, itps, eta, valPsnr, valDe));
                    (valPsnr, valDe) = Validate(average?.Network ?? net, val, ct);
                    valIteration = iteration;
                    log.Append(new LogRow(iteration, null, null, valPsnr, valDe, Seconds()));
                }
                if (o.Logger.SaveCheckpointFreq > 0 && iteration % o.Logger.SaveCheckpointFreq == 0) SaveAll(iteration);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (lastSaved != iteration) SaveAll(iteration);
            throw;
        }

        if (val is not null && valIteration != iteration)
        {
            progress?.Report(new TrainProgress(TrainStage.Validating, iteration, t.TotalIter, lastLoss, schedule.LearningRateAfter(iteration), 0, null, valPsnr, valDe));
            (valPsnr, valDe) = Validate(average?.Network ?? net, val, ct);
            valIteration = iteration;
            log.Append(new LogRow(iteration, null, null, valPsnr, valDe, Seconds()));
        }
        if (lastSaved != iteration) SaveAll(iteration);
        else CurvePlot.Save(PlotPath, log.Rows);
        double wall = Seconds();
        SaveWeights(FinalWeightsPath, iteration, wall, valPsnr, valDe);
        progress?.Report(new TrainProgress(TrainStage.Done, iteration, t.TotalIter, lastLoss, schedule.LearningRateAfter(iteration), 0, TimeSpan.Zero, valPsnr, valDe));
        return new TrainResult(iteration, wall, valPsnr, valDe, FinalWeightsPath, lastState);
    }

    // The arithmetic the run computes in: bf16 where asked for (or where auto finds bf16 units), but fp32 for the GAN
    // objectives, whose adversarial steps have no bf16 path.
    private static NumericPrecision ComputePrecision(TrainOptions o) =>
        o.Train.Loss.IsAdversarial ? NumericPrecision.Fp32 : o.Precision.Resolve();

    // Fresh modules of the run's architecture (and L_KIB heads): the bf16 copies of the master modules.
    private static List<nn.Module> BuildModules(TrainOptions o, bool withHeads)
    {
        var net = ArchRegistry.Create(o.Network.Type, o.Network.Nf);
        return withHeads ? [net, new Models.Blocks.BranchHeads(o.Network.Nf, ((KPNet)net).Options.Branches)] : [net];
    }

    /// <summary>
    /// Official validation (spec §11): eval mode (BatchNorm running statistics), no gradients, batch 1, whole frames
    /// (cropped at the bottom/right to the network's size multiple). PSNR with peak 1 on the output with negatives
    /// set to 0 and no upper clamp; ΔE_ITP (BT.2124) on the same output. Means over frames; back to train mode after.
    /// </summary>
    public static (double Psnr, double DeltaEItp) Validate(HdrNetwork net, PairedImages val, CancellationToken ct = default)
    {
        double psnrSum = 0, deSum = 0;
        int m = net.SizeMultiple, count = 0;
        net.eval();
        try
        {
            using var noGrad = torch.no_grad();
            for (int i = 0; i < val.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var (lqFull, gtFull) = val.Frame(i);
                int w = lqFull.Width / m * m, h = lqFull.Height / m * m;
                if (w == 0 || h == 0) throw new InvalidDataException($"{val.GtFiles[i]}: {lqFull.Width}×{lqFull.Height} is smaller than the network's size multiple {m}.");
                var lq = CropFrame(lqFull, w, h);
                var gt = CropFrame(gtFull, w, h);
                float[] pred;
                using (var scope = torch.NewDisposeScope())
                {
                    var x = torch.tensor(lq.Data, new long[] { 1, 3, h, w });
                    pred = net.call(x).clamp_min(0).contiguous().data<float>().ToArray();
                }
                var p = new RgbPlanarFrame(w, h, pred);
                psnrSum += Psnr.Compute(p, gt);
                deSum += DeltaEItp.Compute(p, gt, parallel: false);
                count++;
            }
        }
        finally
        {
            net.train();
        }
        return (psnrSum / count, deSum / count);
    }

    private static RgbPlanarFrame CropFrame(RgbPlanarFrame f, int w, int h) =>
        w == f.Width && h == f.Height ? f : f.Crop(0, 0, w, h);

    private void SaveWeights(string path, long iteration, double wall, double? psnr, double? de, bool withCard = true)
    {
        var o = options;
        var entry = ArchRegistry.Get(o.Network.Type);
        var card = new ModelCard
        {
            Architecture = entry.Name,
            Width = o.Network.Nf,
            Options = entry.KPNetOptions is { } k ? k with { Nf = o.Network.Nf } : null,
            Qp = o.Datasets.Train.Qp,
            TrainingData = DescribeData(),
            Iterations = iteration,
            WallTimeSeconds = Math.Round(wall, 1),
            ValidationPsnr = psnr,
            ValidationDeltaEItp = de,
            CreatedUtc = DateTimeOffset.UtcNow,
            Notes = $"hdrup train, options '{o.Name}': crop {o.Datasets.Train.GtSize}, batch {o.Datasets.Train.BatchSize}, " +
                    $"{LossDescription()}, Adam lr {o.Train.Optimizer.Lr:G3} β=({o.Train.Optimizer.Betas[0]}, {o.Train.Optimizer.Betas[1]}), " +
                    $"MultiStepLR ×{o.Train.Scheduler.Gamma} at [{string.Join(", ", o.Train.Scheduler.Milestones)}], {o.Train.TotalIter} iterations planned, seed {o.ManualSeed}, {o.Threads} threads, {ComputePrecision(o).Name()} compute" +
                    (o.Path.PretrainNetworkG is { } init ? $", initialised from {init}" : "") +
                    (o.Train.EmaDecay > 0 ? FormattableString.Invariant($", weights: exponential moving average with decay {o.Train.EmaDecay} (ema_decay)") : "") +
                    ". Validation PSNR: peak 1, output negatives set to 0 (official val).",
            WeightsFile = Path.GetFileName(path),
        };
        ModelStore.Save(averaged?.Network ?? Network!, entry.Name, path);
        if (withCard) card.Save(ModelCard.PathFor(path));
    }

    private string LossDescription()
    {
        var l = options.Train.Loss;
        string pixel = l.IsLkib ? FormattableString.Invariant($"LKIB (L1 + {l.Gamma:G3}·Σ L1 of the per-KIB heads)")
            : l.IsPix2Pix ? FormattableString.Invariant($"Pix2Pix (cGAN against a 70×70 PatchGAN + {l.L1Weight:G3}·L1)")
            : l.IsJsiGan ? "JsiGan (L2 + relativistic hinge GAN and feature matching of an image and a detail-layer discriminator)"
            : l.Type.ToUpperInvariant();
        return l.Teacher is null ? pixel
            : FormattableString.Invariant($"distilled: {1 - l.TeacherWeight:G3}·{pixel} to GT + {l.TeacherWeight:G3}·L1 to teacher {l.Teacher}");
    }

    private string DescribeData()
    {
        var d = options.Datasets.Train;
        string? manifest = FindManifest(d.DatarootGt);
        string hash = manifest is null ? $"no {Dataset.DatasetLayout.ManifestFileName} found" : $"manifest {manifest} sha256 {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(manifest)))}";
        return $"GT {d.DatarootGt}, LQ {d.DatarootLq} (QP {d.Qp?.ToString() ?? "?"}); {hash}" + (manifest is null ? "" : "; " + DescribeRecipe(manifest));
    }

    // The data recipe a model card records (#15): how the SDR was made, from which sources, how many training frames.
    private static string DescribeRecipe(string manifestPath)
    {
        try
        {
            var m = System.Text.Json.JsonSerializer.Deserialize<Dataset.DatasetManifest>(File.ReadAllText(manifestPath), Dataset.SourceManifest.Json);
            if (m is null) return "";
            int trainFrames = m.Splits.FirstOrDefault(s => s.Name == Dataset.DatasetLayout.Train)?.Count ?? 0;
            string sdr = m.Parameters.Sdr == Dataset.SdrTone.Degraded
                ? $"SDR by the degradation model v{Dataset.SdrDegradation.Version} (operators {string.Join(", ", Dataset.SdrDegradation.TrainingOperators.Select(o => o.Operator))}; " +
                  $"codecs {string.Join(", ", Dataset.SdrDegradation.TrainingCodecs.Select(c => c.Codec))}; docs/dataset.md)"
                : $"SDR by {m.Parameters.Sdr}, x265 intra";
            return $"{sdr}; {trainFrames} training frames of {m.Parameters.Width}×{m.Parameters.Height} from {m.Sources.Count} sources: " +
                   string.Join(", ", m.Sources.Select(s => s.Split(' ')[0]));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return $"manifest unreadable ({e.Message})";
        }
    }

    // The dataset builder writes its manifest at the dataset root: the GT folder's parent (or the folder itself).
    private static string? FindManifest(string folder)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(folder));
        for (int up = 0; up < 3 && dir is not null; up++, dir = dir.Parent)
        {
            string candidate = new Dataset.DatasetLayout(dir.FullName).ManifestPath;
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private void PruneStates()
    {
        var states = Directory.GetFiles(StatesDir, "*.state")
            .Select(f => (File: f, Iter: long.TryParse(Path.GetFileNameWithoutExtension(f), out long i) ? i : -1))
            .Where(x => x.Iter >= 0).OrderByDescending(x => x.Iter).Skip(options.Logger.KeepStates);
        foreach (var (file, _) in states) File.Delete(file);
    }

    // A resumed run must draw the same batches from the same network; lengths and frequencies may change.
    private static void CheckCompatible(string path, TrainOptions saved, TrainOptions now)
    {
        void Same<T>(T a, T b, string field)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
                throw new InvalidDataException($"{path}: {field} was '{a}' in the saved run, now '{b}'; resume with the run's options.");
        }
        Same(saved.Network, now.Network, "network");
        Same(saved.ManualSeed, now.ManualSeed, "manual_seed");
        Same(saved.Datasets.Train with { Prefetch = 0 }, now.Datasets.Train with { Prefetch = 0 }, "datasets.train");
    }
}
