using HdrUp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Training.Train;

/// <summary>
/// The discriminator side of a GAN objective: its module(s) and optimiser (saved in the training states, never in the
/// weights) and one step, which updates the discriminator(s) on the generator's output and returns the generator's loss
/// against the updated ones, for the trainer's backward and step of the network's optimiser (the gradients that leaves
/// on the discriminators are cleared before their next update). Runs in fp32.
/// </summary>
internal abstract class Adversary : IDisposable
{
    protected Adversary(nn.Module module, AdamOptions adam)
    {
        Module = module;
        Module.train();
        Optimizer = torch.optim.Adam(module.parameters(), adam.Lr, adam.Betas[0], adam.Betas[1], adam.Eps, adam.WeightDecay);
    }

    public nn.Module Module { get; }
    public OptimizerHelper Optimizer { get; }

    /// <summary>Pix2Pix's or JSI-GAN's adversary for <paramref name="options"/>' loss, or null for a plain loss. Built after the
    /// network, so its initialisation does not change the network's.</summary>
    public static Adversary? For(TrainOptions options) => options.Train.Loss switch
    {
        { IsPix2Pix: true } l => new Pix2PixAdversary(options.Network.Nf, options.Train.Optimizer, l.L1Weight),
        { IsJsiGan: true } => new JsiGanAdversary(options.Train.Optimizer),
        _ => null,
    };

    public abstract Tensor Step(HdrNetwork net, Tensor lq, Tensor gt);

    public void Dispose()
    {
        Optimizer.Dispose();
        Module.Dispose();
    }
}

/// <summary>
/// pix2pix's step (its optimize_parameters): G(x) once; the conditional PatchGAN's update on (x, y) against (x, G(x))
/// detached; then the generator's loss BCE(D(x, G(x)), 1) + λ·L1 against the updated discriminator.
/// </summary>
internal sealed class Pix2PixAdversary(int nf, AdamOptions adam, double l1Weight) : Adversary(new PatchGanDiscriminator(nf), adam)
{
    private PatchGanDiscriminator D => (PatchGanDiscriminator)Module;

    public override Tensor Step(HdrNetwork net, Tensor lq, Tensor gt)
    {
        using var scope = torch.NewDisposeScope();
        var fake = net.call(lq);
        Optimizer.zero_grad();
        using (var detached = fake.detach())
            TrainingLoss.Pix2PixDiscriminator(D, lq, detached, gt).backward();
        Optimizer.step();
        return TrainingLoss.Pix2PixGenerator(D, lq, fake, gt, l1Weight).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// JSI-GAN's second stage (Kim, Oh &amp; Kim, AAAI 2020, §3.3, with the weights of the authors' release): two spectrally
/// normalised discriminators, one on HDR frames and one on their detail layers y / (GF(y) + 1e-15) (the guided filter of
/// JSInet), trained with the relativistic hinge loss (the detail one weighted 0.5); the generator's loss is
/// L2 + 1·(RaHinge_G + 0.5·RaHinge_G,detail) + 0.5·(FM + 0.5·FM_detail), FM = Σ over the four features after each
/// halving of the mean squared difference between real and generated. One Adam serves both discriminators: their losses
/// share no parameters, so it updates each as its own Adam would.
/// </summary>
internal sealed class JsiGanAdversary(AdamOptions adam) : Adversary(new JsiGanDiscriminators(), adam)
{
    /// <summary>λ of the adversarial terms, of the feature-matching terms, and of the detail discriminator's terms (the release's adv_lambda, fm_lambda, detail_lambda).</summary>
    public const double AdversarialWeight = 1.0, FeatureMatchingWeight = 0.5, DetailWeight = 0.5;

    private JsiGanDiscriminators D => (JsiGanDiscriminators)Module;

    public override Tensor Step(HdrNetwork net, Tensor lq, Tensor gt)
    {
        using var scope = torch.NewDisposeScope();
        var fake = net.call(lq);
        var gtDetail = Detail(gt);
        Optimizer.zero_grad();
        using (var detached = fake.detach())
        {
            var image = TrainingLoss.RaHingeDiscriminator(D.Image.call(gt).Logits, D.Image.call(detached).Logits);
            var detail = TrainingLoss.RaHingeDiscriminator(D.Detail.call(gtDetail).Logits, D.Detail.call(Detail(detached)).Logits);
            (image + DetailWeight * detail).backward();
        }
        Optimizer.step();
        (Tensor Logits, Tensor[] Features) realImage, realDetail;
        using (torch.no_grad())
            (realImage, realDetail) = (D.Image.call(gt), D.Detail.call(gtDetail));
        var fakeImage = D.Image.call(fake);
        var fakeDetail = D.Detail.call(Detail(fake));
        var adversarial = TrainingLoss.RaHingeGenerator(realImage.Logits, fakeImage.Logits)
                          + DetailWeight * TrainingLoss.RaHingeGenerator(realDetail.Logits, fakeDetail.Logits);
        var matching = TrainingLoss.FeatureMatching(realImage.Features, fakeImage.Features)
                       + DetailWeight * TrainingLoss.FeatureMatching(realDetail.Features, fakeDetail.Features);
        var loss = TrainingLoss.L2(fake, gt) + AdversarialWeight * adversarial + FeatureMatchingWeight * matching;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The detail layer JSI-GAN's detail discriminator sees: the frame over its guided-filter base layer.</summary>
    public static Tensor Detail(Tensor y) => y / (JSInet.GuidedFilter(y, JSInet.GuidedFilterBox, JSInet.GuidedFilterEps) + 1e-15);
}

/// <summary>JSI-GAN's two discriminators as one module, so the training state saves and restores them together.</summary>
internal sealed class JsiGanDiscriminators : nn.Module
{
    public JsiGanDiscriminators() : base(nameof(JsiGanDiscriminators))
    {
        Image = new JsiGanDiscriminator();
        Detail = new JsiGanDiscriminator();
        RegisterComponents();
    }

    public JsiGanDiscriminator Image { get; }
    public JsiGanDiscriminator Detail { get; }
}
