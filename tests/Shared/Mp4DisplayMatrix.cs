using System.Buffers.Binary;

namespace HdrUp.TestSupport;

/// <summary>
/// Writes a display matrix into an MP4's first track header (tkhd), the way a camera app does.
/// ffmpeg 5.1 can only make rotations itself (<c>-metadata:s:v:0 rotate=N</c> on a stream copy sets a
/// turn); it has no option for a mirrored matrix (<c>-display_hflip</c> arrived in ffmpeg 6.0). Its MP4
/// demuxer does read any matrix from tkhd, so the test clips for mirror images are made by editing
/// those 36 bytes. Linked into every test project that needs it (one copy).
/// </summary>
internal static class Mp4DisplayMatrix
{
    /// <summary>
    /// Sets the 2×2 part of the matrix to (a b; c d) in units of 1 (stored as 16.16), the translation to
    /// 0 and w to 1 (2.30). The stored x axis is then shown along (a, b), the y axis along (c, d),
    /// with y pointing down; e.g. (-1 0; 0 1) mirrors left–right. Use on a file with one track.
    /// </summary>
    public static void Write(string path, int a, int b, int c, int d)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int type = IndexOf(bytes, "tkhd"u8);
        if (type < 4) throw new InvalidDataException($"{Path.GetFileName(path)}: no tkhd box");
        int version = bytes[type + 4];
        // type, version+flags, times/ids/duration (20 or 32 bytes), reserved 8, layer, group, volume, reserved (8).
        int matrix = type + 4 + 4 + (version == 1 ? 32 : 20) + 8 + 8;
        int[] values = [a << 16, b << 16, 0, c << 16, d << 16, 0, 0, 0, 1 << 30];
        for (int i = 0; i < 9; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(matrix + 4 * i, 4), values[i]);
        File.WriteAllBytes(path, bytes);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
