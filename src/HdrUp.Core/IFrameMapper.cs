namespace HdrUp.Core;

/// <summary>Maps one frame to another of the same size, e.g. SDR code values to PQ BT.2020 code values.</summary>
public interface IFrameMapper
{
    /// <summary>A short name for logs and reports, e.g. "kpnet-qp37" or "bt2446a".</summary>
    string Name { get; }

    RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default);
}
