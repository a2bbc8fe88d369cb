using HdrUp.Models;
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Training.Train;

/// <summary>
/// The three training losses of paper Tab. 2 (rows 2, 3, 4), all on the raw (unclamped) output, means over every
/// element: L1 (official), L2 = MSE, and L_KIB = L1(Î, I) + γ·Σ_i L1(K̂_i, I), K̂_i = head_i(K_i) the HDR image a
/// small head reconstructs from the i-th KIB's features (§5.3.1; heads: <see cref="BranchHeads"/>); and for the
/// Pixel2Pixel baseline of Tab. 1, pix2pix's conditional GAN objective (<see cref="Pix2PixDiscriminator"/>,
/// <see cref="Pix2PixGenerator"/>).
/// </summary>
public static class TrainingLoss
{
    /// <summary>Accepted values of <c>train.loss.type</c>.</summary>
    public static IReadOnlyList<string> Known { get; } = ["L1", "L2", "LKIB", "Pix2Pix", "JsiGan"];

    /// <summary>
    /// pix2pix's discriminator loss (Isola et al., CVPR 2017, eq. 1 and §3.3, "we divide the objective by 2 while
    /// optimizing D"): ½·[BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)] on the patch logits, means over patches and batch.
    /// <paramref name="fake"/> should be detached from the generator.
    /// </summary>
    public static Tensor Pix2PixDiscriminator(PatchGanDiscriminator d, Tensor lq, Tensor fake, Tensor gt)
    {
        using var scope = NewDisposeScope();
        var real = d.call(lq, gt);
        var generated = d.call(lq, fake);
        var loss = 0.5 * (nn.functional.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                          + nn.functional.binary_cross_entropy_with_logits(generated, torch.zeros_like(generated)));
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// pix2pix's generator loss (eq. 4, with the non-saturating form of §3.3: maximise log D(x, G(x))):
    /// BCE(D(x, G(x)), 1) + λ·L1(G(x), y), λ = <paramref name="l1Weight"/> (100 in pix2pix).
    /// </summary>
    public static Tensor Pix2PixGenerator(PatchGanDiscriminator d, Tensor lq, Tensor fake, Tensor gt, double l1Weight)
    {
        using var scope = NewDisposeScope();
        var generated = d.call(lq, fake);
        var loss = nn.functional.binary_cross_entropy_with_logits(generated, torch.ones_like(generated))
                   + l1Weight * nn.functional.l1_loss(fake, gt);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The relativistic hinge loss of a discriminator (JSI-GAN's): mean(relu(1 − (D(real) − mean D(fake)))) +
    /// mean(relu(1 + (D(fake) − mean D(real)))), on logits; <paramref name="fake"/>'s should come from a detached output.
    /// </summary>
    public static Tensor RaHingeDiscriminator(Tensor real, Tensor fake)
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.relu(1.0 - (real - fake.mean())).mean() + nn.functional.relu(1.0 + (fake - real.mean())).mean();
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The generator's relativistic hinge loss: the discriminator's with real and generated exchanged.</summary>
    public static Tensor RaHingeGenerator(Tensor real, Tensor fake) => RaHingeDiscriminator(fake, real);

    /// <summary>Feature matching: Σ_i mean((real_i − fake_i)²) over the discriminator's features.</summary>
    public static Tensor FeatureMatching(IReadOnlyList<Tensor> real, IReadOnlyList<Tensor> fake)
    {
        using var scope = NewDisposeScope();
        var loss = torch.zeros(1, dtype: fake[0].dtype).squeeze();
        for (int i = 0; i < real.Count; i++) loss = loss + nn.functional.mse_loss(fake[i], real[i]);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Mean squared error (L2 row of Tab. 2).</summary>
    public static Tensor L2(Tensor output, Tensor gt) => nn.functional.mse_loss(output, gt);

    /// <summary>L_KIB from the output and the per-branch head images (null entries skipped).</summary>
    public static Tensor Lkib(Tensor output, IReadOnlyList<Tensor?> headImages, Tensor gt, double gamma)
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.l1_loss(AsTarget(output, gt), gt);
        foreach (var k in headImages)
            if (k is not null) loss = loss + gamma * nn.functional.l1_loss(AsTarget(k, gt), gt);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Distillation loss of one batch: (1 − w)·loss(Î, GT) + w·L1(Î, teacher(LQ)), the teacher in eval mode without
    /// gradients. <paramref name="type"/> is L1 or L2 (LKIB's heads need the full KPNet's branches).
    /// </summary>
    public static Tensor Distill(string type, HdrNetwork student, HdrNetwork teacher, Tensor lq, Tensor gt, double teacherWeight)
    {
        if (IsLkib(type) || IsPix2Pix(type) || type.Equals("JsiGan", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"Distillation supports L1 and L2, not '{type}'.", nameof(type));
        using var scope = NewDisposeScope();
        Tensor target;
        using (no_grad()) target = AsTarget(teacher.call(lq), gt);
        var output = AsTarget(student.call(lq), gt);
        var toGt = Pixel(type, output, gt);
        return ((1 - teacherWeight) * toGt + teacherWeight * nn.functional.l1_loss(output, target)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss of one batch for <paramref name="type"/>; <paramref name="heads"/> must be given for LKIB (and the
    /// network must be a <see cref="KPNet"/>), and is ignored otherwise.
    /// </summary>
    public static Tensor Compute(string type, HdrNetwork net, BranchHeads? heads, Tensor lq, Tensor gt, double gamma)
    {
        if (!IsLkib(type))
        {
            using var output = net.call(lq);
            return Pixel(type, output, gt);
        }
        if (net is not KPNet kp || heads is null) throw new InvalidOperationException("LKIB needs a KPNet and its branch heads.");
        using var features = kp.ForwardWithFeatures(lq);
        var images = heads.call(features.Kib);
        try { return Lkib(features.Output, images, gt, gamma); }
        finally { foreach (var t in images) t?.Dispose(); }
    }

    // A bf16 forward pass (mixed-precision training) is compared with the fp32 target in fp32.
    private static Tensor AsTarget(Tensor output, Tensor gt) => output.dtype == gt.dtype ? output : output.to(gt.dtype);

    private static bool IsLkib(string type) => type.Equals("LKIB", StringComparison.OrdinalIgnoreCase);

    private static bool IsPix2Pix(string type) => type.Equals("Pix2Pix", StringComparison.OrdinalIgnoreCase);

    // The per-pixel losses on the network output: L1 (official) or L2.
    private static Tensor Pixel(string type, Tensor output, Tensor gt) => type.ToUpperInvariant() switch
    {
        "L1" => nn.functional.l1_loss(AsTarget(output, gt), gt),
        "L2" => L2(AsTarget(output, gt), gt),
        _ => throw new ArgumentException($"Unknown per-pixel loss '{type}' (known: L1, L2; LKIB and Pix2Pix need their own modules).", nameof(type)),
    };
}
