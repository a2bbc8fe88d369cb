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

    public MultiStepSchedule(double baseLearningRate, IReadOnlyList<long> milestones, double gamma)
    {
        BaseLearningRate = baseLearningRate;
        this.milestones = milestones.Order().ToArray();
        Gamma = gamma;
    }

    public static MultiStepSchedule From(OptimisationOptions o) => new(o.Optimizer.Lr, o.Scheduler.Milestones, o.Scheduler.Gamma);

    public double BaseLearningRate { get; }
    public double Gamma { get; }
    public IReadOnlyList<long> Milestones => milestones;

    /// <summary>The learning rate after <paramref name="completedSteps"/> steps, i.e. the one step number completedSteps+1 uses.</summary>
    public double LearningRateAfter(long completedSteps)
    {
        double lr = BaseLearningRate;
        foreach (long m in milestones)
            if (m <= completedSteps) lr *= Gamma;
        return lr;
    }
}
