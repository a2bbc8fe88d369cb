using HdrUp.Models.Blocks;
using HdrUp.Models.Checkpoints;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// The paper's cascades (Tab. 1, "DNCNN+KUNet", "DNCNN+KUNet*", "DNCNN+HDRTV"): O = R(DnCNN(x)). DnCNN restores the
/// compressed SDR frame (x + residual, still SDR code values) and the reconstruction network R maps the restored frame to
/// HDR. The intermediate frame is not clamped, so gradients flow through both stages and the module trains jointly;
/// <see cref="LoadParts"/> instead fills it from two separately trained state dicts.
/// </summary>
/// <remarks>State-dict keys: <c>dncnn.*</c>, then the reconstruction's under its own prefix (e.g. <c>kunet.*</c>).</remarks>
public abstract class RestorationCascade<TReconstruction> : HdrNetwork where TReconstruction : HdrNetwork
{
    private readonly DnCNN dncnn;
    private readonly TReconstruction reconstruction;

    /// <param name="name">Module name.</param>
    /// <param name="reconstructionKey">State-dict prefix of the reconstruction stage.</param>
    /// <param name="reconstruction">The freshly built reconstruction stage (owned by the cascade).</param>
    /// <param name="nf">Feature width of the DnCNN stage.</param>
    protected RestorationCascade(string name, string reconstructionKey, TReconstruction reconstruction, int nf) : base(name)
    {
        dncnn = new DnCNN(nf);
        this.reconstruction = reconstruction;
        // Registered by hand, in key order, so the prefix is the published one rather than the field's name.
        register_module("dncnn", dncnn);
        register_module(reconstructionKey, reconstruction);
    }

    /// <summary>The restoration stage (parameters shared with this module).</summary>
    public DnCNN Restoration => dncnn;

    /// <summary>The SDR→HDR stage (parameters shared with this module).</summary>
    public TReconstruction Reconstruction => reconstruction;

    /// <inheritdoc/>
    /// <remarks>The reconstruction stage's (DnCNN takes any size).</remarks>
    public override int SizeMultiple => reconstruction.SizeMultiple;

    /// <inheritdoc/>
    public override int Width => reconstruction.Width;

    /// <summary>
    /// Loads a DnCNN state dict and a reconstruction state dict (each .pth or .safetensors, each strictly,
    /// <see cref="Checkpoint.Load"/>) into <paramref name="cascade"/> and switches it to eval mode; disposes it on failure.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file does not match its part (message names the file and key).</exception>
    protected static T LoadParts<T>(T cascade, string dncnnPath, string reconstructionPath) where T : RestorationCascade<TReconstruction>
    {
        try
        {
            Checkpoint.Load(cascade.dncnn, dncnnPath);
            Checkpoint.Load(cascade.reconstruction, reconstructionPath);
        }
        catch
        {
            cascade.Dispose();
            throw;
        }
        cascade.eval();
        return cascade;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = dncnn.call(input).Consume(reconstruction.call);                          // no clamp in between
        return result.MoveToOuterDisposeScope();
    }
}
