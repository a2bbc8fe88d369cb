using HdrUp.Models;
using HdrUp.Training.Train;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Training.Tests.Train;

/// <summary>The Tab. 2 losses (L2, L_KIB) and the Tab. 3 information-loss probe.</summary>
[Collection("torch")]
public class LossAndProbeTests
{
    // Constant tensors: output 0.5, GT 0.2 → |Δ| = 0.3, Δ² = 0.09. Heads 0.4 and 0.1 → L1 0.2 and 0.1.
    // L_KIB = 0.3 + 0.1·(0.2 + 0.1) = 0.33; with γ = 0 it is the plain L1 0.3.
    [Fact]
    public void L2_and_lkib_have_their_values_on_known_tensors()
    {
        using var output = torch.full(2, 3, 4, 4, 0.5f);
        using var gt = torch.full(2, 3, 4, 4, 0.2f);
        using var k1 = torch.full(2, 3, 4, 4, 0.4f);
        using var k2 = torch.full(2, 3, 4, 4, 0.1f);
        using var l2 = TrainingLoss.L2(output, gt);
        Assert.Equal(0.09, l2.item<float>(), 6);
        using var lkib = TrainingLoss.Lkib(output, new Tensor?[] { k1, null, k2 }, gt, 0.1);
        Assert.Equal(0.33, lkib.item<float>(), 6);
        using var l1 = nn.functional.l1_loss(output, gt);
        using var lkib0 = TrainingLoss.Lkib(output, new Tensor?[] { k1, null, k2 }, gt, 0.0);
        Assert.Equal(l1.item<float>(), lkib0.item<float>());
    }

    // On a real network and heads, L_KIB with γ = 0 is exactly the L1 of forward's output (ForwardWithFeatures does
    // not change the output), and with γ > 0 it is larger (each head adds a positive L1).
    [Fact]
    public void Lkib_with_gamma_zero_equals_l1_of_the_network()
    {
        torch.random.manual_seed(5);
        using var net = ArchRegistry.Create("kpnet", 8);
        using var heads = new HdrUp.Models.Blocks.BranchHeads(8);
        net.eval();
        using var lq = torch.rand(1, 3, 16, 16);
        using var gt = torch.rand(1, 3, 16, 16);
        using var noGrad = torch.no_grad();
        using var l1 = TrainingLoss.Compute("L1", net, null, lq, gt, 0);
        using var lkib0 = TrainingLoss.Compute("LKIB", net, heads, lq, gt, 0);
        using var lkib = TrainingLoss.Compute("lkib", net, heads, lq, gt, 0.1);
        Assert.Equal(l1.item<float>(), lkib0.item<float>());
        Assert.True(lkib.item<float>() > l1.item<float>());
    }

    // An LKIB run trains (heads in the training state, not in the weights): the network's state dict keeps exactly
    // KPNet's 89 keys; options accept L2 / LKIB and refuse unknown losses and LKIB on a non-KPNet network.
    [Fact]
    public void Lkib_training_keeps_heads_out_of_the_network_and_options_validate()
    {
        using var data = new SyntheticPairs(count: 2, width: 16, height: 16);
        var options = data.Options(2) with { Train = new OptimisationOptions { TotalIter = 2, Loss = new LossOptions { Type = "LKIB", Gamma = 0.1 } } };
        using var trainer = new Trainer(options, data.NewRunDir());
        var result = trainer.Run();
        Assert.Equal(2, result.Iteration);
        Assert.Equal(89, trainer.Network!.state_dict().Count);
        Assert.DoesNotContain(trainer.Network.state_dict().Keys, k => k.Contains("head"));
        var card = ModelCard.Load(ModelCard.PathFor(result.WeightsPath));
        Assert.Contains("LKIB (L1 + 0.1", card.Notes);

        Assert.Equal("L2", TrainOptions.Parse("""{ "train": { "loss": { "type": "L2" } } }""").Train.Loss.Type);
        Assert.Equal(0.1, TrainOptions.Parse("{}").Train.Loss.Gamma);
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "loss": { "type": "L3" } } }"""));
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "network": { "type": "kunet" }, "train": { "loss": { "type": "LKIB" } } }"""));
    }

    // Distillation mixes the two L1 terms: with a teacher that outputs the GT plus 0.1 and a student equal to the GT,
    // (1 − w)·0 + w·0.1. Teacher weight 0 is plain L1 to the GT; the teacher gets no gradient.
    [Fact]
    public void Distill_weighs_the_teacher_and_the_ground_truth()
    {
        torch.random.manual_seed(11);
        using var student = ArchRegistry.Create("kpnet", 8);
        using var teacher = ArchRegistry.Create("kpnet", 8);
        student.eval(); teacher.eval();
        using var lq = torch.rand(1, 3, 16, 16);
        using var gt = torch.rand(1, 3, 16, 16);
        using var noGrad = torch.no_grad();
        using var s = student.call(lq);
        using var t = teacher.call(lq);
        using var l1Gt = nn.functional.l1_loss(s, gt);
        using var l1Teacher = nn.functional.l1_loss(s, t);
        using var d0 = TrainingLoss.Distill("L1", student, teacher, lq, gt, 0);
        using var d1 = TrainingLoss.Distill("L1", student, teacher, lq, gt, 1);
        using var dHalf = TrainingLoss.Distill("L1", student, teacher, lq, gt, 0.25);
        Assert.Equal(l1Gt.item<float>(), d0.item<float>(), 6);
        Assert.Equal(l1Teacher.item<float>(), d1.item<float>(), 6);
        Assert.Equal(0.75 * l1Gt.item<float>() + 0.25 * l1Teacher.item<float>(), dHalf.item<float>(), 6);
        Assert.NotEqual(d0.item<float>(), d1.item<float>());
        Assert.Throws<ArgumentException>(() => TrainingLoss.Distill("LKIB", student, teacher, lq, gt, 0.5));
    }

    // A distilled run trains from a saved teacher, records it in the card, and options refuse a missing teacher file,
    // a weight outside [0, 1] and LKIB with a teacher.
    [Fact]
    public void Distilled_training_runs_and_options_validate()
    {
        using var data = new SyntheticPairs(count: 2, width: 16, height: 16);
        string teacherPath = Path.Combine(Directory.CreateDirectory(data.NewRunDir()).FullName, "teacher.safetensors");
        using (var teacher = ArchRegistry.Create("kpnet", 8))
            HdrUp.Models.Checkpoints.ModelStore.Save(teacher, "kpnet", teacherPath, new ModelCard { Architecture = "kpnet", Width = 8 });
        var options = data.Options(2) with { Train = new OptimisationOptions { TotalIter = 2, Loss = new LossOptions { Teacher = teacherPath, TeacherWeight = 0.5 } } };
        using var trainer = new Trainer(options, data.NewRunDir());
        var result = trainer.Run();
        Assert.Equal(2, result.Iteration);
        Assert.Contains("L1 to teacher", ModelCard.Load(ModelCard.PathFor(result.WeightsPath)).Notes);

        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "loss": { "teacher": "/no/such/teacher.safetensors" } } }"""));
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "loss": { "teacher_weight": 1.5 } } }"""));
        var lkib = options with { Train = options.Train with { Loss = new LossOptions { Type = "LKIB", Teacher = teacherPath } } };
        Assert.Throws<InvalidDataException>(() => lkib.Validate("test"));
    }
}
