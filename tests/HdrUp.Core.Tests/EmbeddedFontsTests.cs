using System.Security.Cryptography;

namespace HdrUp.Core.Tests;

public class EmbeddedFontsTests
{
    // The MD5 that src/HdrUp.Core/Fonts/LICENSE-DejaVu.txt gives for fonts-dejavu-core 2.37-6's DejaVuSans.ttf: the
    // embedded font is that unmodified file, as its licence notice says.
    [Fact]
    public void DejaVu_sans_is_the_unmodified_debian_file()
    {
        using var stream = EmbeddedFonts.OpenDejaVuSans();
        Assert.Equal("4cc160d1da14d4598cef75f69c3c6385", Convert.ToHexStringLower(MD5.HashData(stream)));
    }
}
