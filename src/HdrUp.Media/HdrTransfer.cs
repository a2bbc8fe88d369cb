namespace HdrUp.Media;

/// <summary>The transfer function of the written HDR video (ITU-R BT.2100).</summary>
public enum HdrTransfer
{
    /// <summary>Perceptual quantiser (SMPTE ST 2084), HDR10: display-referred, with mastering display and light level metadata.</summary>
    Pq,

    /// <summary>
    /// Hybrid log-gamma (ARIB STD-B67), what broadcast delivers: scene-referred, converted from the PQ result by
    /// BT.2408's display-light conversion for the nominal 1 000 cd/m² HLG display (<see cref="HdrUp.Color.Hlg.FromPq"/>).
    /// </summary>
    Hlg,
}
