using System.Collections.Concurrent;

namespace HdrUp.Training.Train;

/// <summary>One prepared batch: N×3×crop×crop LQ and GT values, planar RGB.</summary>
public sealed record Batch(long Index, float[] Lq, float[] Gt, int Size, int Crop);

/// <summary>
/// Background thread that prepares batches <c>start, start+1, …</c> ahead of the optimiser into a bounded queue
/// (<see cref="TrainDataOptions.Prefetch"/> deep). Batch content depends only on the sampler and the index, so how far
/// the producer ran ahead never changes the result.
/// </summary>
public sealed class BatchProducer : IDisposable
{
    private readonly BlockingCollection<Batch> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private Exception? failure;

    public BatchProducer(PatchSampler sampler, TrainDataOptions options, long startBatch)
    {
        queue = new BlockingCollection<Batch>(Math.Max(1, options.Prefetch));
        int n = options.BatchSize, crop = options.GtSize, size = n * 3 * crop * crop;
        thread = new Thread(() =>
        {
            try
            {
                for (long b = startBatch; !stop.IsCancellationRequested; b++)
                {
                    var lq = new float[size]; var gt = new float[size];
                    sampler.Fill(b, lq, gt);
                    queue.Add(new Batch(b, lq, gt, n, crop), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        }) { IsBackground = true, Name = "hdrup-batch-producer" };
        thread.Start();
    }

    /// <summary>The next batch (blocks until ready).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> cancelled.</exception>
    public Batch Take(CancellationToken ct)
    {
        try
        {
            return queue.Take(ct);
        }
        catch (InvalidOperationException) when (failure is not null)
        {
            throw new InvalidDataException($"batch producer failed: {failure.Message}", failure);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        queue.Dispose();
        stop.Dispose();
    }
}
