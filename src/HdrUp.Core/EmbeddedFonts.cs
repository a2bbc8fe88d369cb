namespace HdrUp.Core;

/// <summary>
/// The one font HdrUp draws text with (the preview still, the training and bench charts): DejaVu Sans from Debian's
/// fonts-dejavu-core, embedded because SkiaSharp's NoDependencies natives see no system font at all, and a fresh
/// machine may have none (licence in <c>src/HdrUp.Core/Fonts</c>). Handed out as a stream so that this project needs
/// no drawing library; each caller makes its own typeface.
/// </summary>
public static class EmbeddedFonts
{
    private const string DejaVuSansResource = "HdrUp.Core.Fonts.DejaVuSans.ttf";

    /// <summary>A new stream over DejaVuSans.ttf; the caller disposes it.</summary>
    public static Stream OpenDejaVuSans() =>
        typeof(EmbeddedFonts).Assembly.GetManifestResourceStream(DejaVuSansResource)
        ?? throw new InvalidOperationException($"the font {DejaVuSansResource} is missing from {typeof(EmbeddedFonts).Assembly.GetName().Name}");
}
