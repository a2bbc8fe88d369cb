namespace HdrUp.Training.Train;

/// <summary>
/// PyTorch <c>MultiStepLR</c> stepped once after every optimiser step (spec §11): after <c>k</c> completed steps the
/// learning rate is the base rate multiplied by gamma once for every milestone ≤ k. So with milestones
/// 200k/300k/400k/500k the 200,000th step still uses 2e-4 and the 200,001st uses 1e-4. The multiplications are
/// chained in milestone order as PyTorch's closed-form-free update does, so values match it bit for bit.
/// </summary>
public sealed class MultiStepSchedule
{
    private readonly long[] milestones;

    private readonly long? linearFrom;
    private readonly long totalSteps;

    /// <param name="linearDecayFrom">With <paramref name="totalSteps"/>: after this many completed steps the rate also falls
    /// linearly, reaching 0 after <paramref name="totalSteps"/> (JSI-GAN's second stage); null: no decay.</param>
    public MultiStepSchedule(double baseLearningRate, IReadOnlyList<long> milestones, double gamma, long? linearDecayFrom = null, long totalSteps = 0)
    {
        BaseLearningRate = baseLearningRate;
        this.milestones = milestones.Order().ToArray();
        Gamma = gamma;
        if (linearDecayFrom is long from && !(from >= 0 && from < totalSteps))
            throw new ArgumentOutOfRangeException(nameof(linearDecayFrom), linearDecayFrom, "must be at least 0 and below the total steps");
        (linearFrom, this.totalSteps) = (linearDecayFrom, totalSteps);
    }

    public static MultiStepSchedule From(OptimisationOptions o) =>
        new(o.Optimizer.Lr, o.Scheduler.Milestones, o.Scheduler.Gamma, o.Scheduler.LinearDecayFrom, o.TotalIter);

    public double BaseLearningRate { get; }
    public double Gamma { get; }
    public IReadOnlyList<long> Milestones => milestones;

    /// <summary>The learning rate after <paramref name="completedSteps"/> steps, i.e. the one step number completedSteps+1 uses.</summary>
    public double LearningRateAfter(long completedSteps)
    {
        double lr = BaseLearningRate;
        foreach (long m in milestones)
            if (m <= completedSteps) lr *= Gamma;
        if (linearFrom is long from && completedSteps > from)
            lr *= Math.Max(0, totalSteps - completedSteps) / (double)(totalSteps - from);
        return lr;
    }
}
