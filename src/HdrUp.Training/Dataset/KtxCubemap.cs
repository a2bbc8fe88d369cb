using System.Buffers.Binary;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>
/// A floating-point cube map read from a KTX 1 file (Khronos KTX File Format Specification, version 1):
/// mip level 0 of the six faces, internal format GL_R11F_G11F_B10F only (the format of the
/// Filament/Open3D skyboxes). Faces are in the KTX/GL order +X, −X, +Y, −Y, +Z, −Z; each face is
/// stored as its first texel row first, i.e. row 0 at t = 0 of the OpenGL cube-map face coordinates.
/// <see cref="ToEquirect"/> turns the cube into the 2:1 longitude × latitude panorama that
/// <see cref="Equirect"/> reads, in linear light as stored.
/// </summary>
public sealed class KtxCubemap
{
    /// <summary>GL_R11F_G11F_B10F: three unsigned floats packed into 32 bits (R bits 0–10, G 11–21, B 22–31).</summary>
    public const uint GlR11fG11fB10f = 0x8C3A;

    /// <summary>The 12-byte KTX 1 identifier: «KTX 11»\r\n\x1A\n.</summary>
    public static ReadOnlySpan<byte> Identifier => [0xAB, 0x4B, 0x54, 0x58, 0x20, 0x31, 0x31, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A];

    private const int HeaderBytes = 64;

    private KtxCubemap(int size, RgbPlanarFrame[] faces)
    {
        Size = size;
        Faces = faces;
    }

    /// <summary>Edge length of each square face in texels.</summary>
    public int Size { get; }

    /// <summary>The six faces, +X, −X, +Y, −Y, +Z, −Z, linear RGB, row 0 at t = 0.</summary>
    public IReadOnlyList<RgbPlanarFrame> Faces { get; }

    public static KtxCubemap Read(string path) => Parse(path, File.ReadAllBytes(path));

    /// <summary>Builds a cube map from six faces (+X, −X, +Y, −Y, +Z, −Z) of equal square size.</summary>
    public static KtxCubemap FromFaces(IReadOnlyList<RgbPlanarFrame> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Count != 6) throw new ArgumentException($"A cube map has 6 faces, got {faces.Count}.", nameof(faces));
        int size = faces[0].Width;
        if (faces.Any(f => f.Width != size || f.Height != size))
            throw new ArgumentException("Cube-map faces must all be square and of the same size.", nameof(faces));
        return new KtxCubemap(size, faces.ToArray());
    }

    /// <summary>Decodes a KTX 1 file held in memory; <paramref name="name"/> appears in error messages.</summary>
    public static KtxCubemap Parse(string name, ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderBytes || !file[..12].SequenceEqual(Identifier))
            throw new InvalidDataException($"{name}: not a KTX 1 file (identifier «KTX 11» missing).");
        bool little = BinaryPrimitives.ReadUInt32LittleEndian(file[12..]) switch
        {
            0x04030201 => true,
            0x01020304 => false,
            var e => throw new InvalidDataException($"{name}: KTX endianness field 0x{e:X8} is neither 0x04030201 nor its byte swap."),
        };
        // Fields after the identifier: 0 endianness, 1 glType, 2 glTypeSize, 3 glFormat, 4 glInternalFormat,
        // 5 glBaseInternalFormat, 6 pixelWidth, 7 pixelHeight, 8 pixelDepth, 9 numberOfArrayElements,
        // 10 numberOfFaces, 11 numberOfMipmapLevels, 12 bytesOfKeyValueData.
        uint Field(ReadOnlySpan<byte> header, int index) => U32(header[(12 + 4 * index)..], little);
        uint internalFormat = Field(file, 4), width = Field(file, 6), height = Field(file, 7), depth = Field(file, 8);
        uint arrays = Field(file, 9), faces = Field(file, 10), keyValueBytes = Field(file, 12);
        if (internalFormat != GlR11fG11fB10f)
            throw new InvalidDataException($"{name}: KTX internal format 0x{internalFormat:X4}; only GL_R11F_G11F_B10F (0x8C3A) is supported.");
        if (faces != 6 || depth != 0 || arrays != 0)
            throw new InvalidDataException($"{name}: not a single cube map ({faces} faces, depth {depth}, {arrays} array elements; need 6, 0, 0).");
        if (width == 0 || width != height || width > 16384)
            throw new InvalidDataException($"{name}: cube faces must be square, this one is {width}×{height}.");

        int size = (int)width;
        long faceBytes = 4L * size * size; // 4-byte texels: rows and faces need no padding
        long at = HeaderBytes + (long)keyValueBytes;
        if (file.Length < at + 4)
            throw new InvalidDataException($"{name}: truncated (ends inside the key/value data).");
        uint imageSize = U32(file[(int)at..], little);
        // For a non-array cube map, imageSize is the size of one face (KTX 1 spec, "imageSize").
        if (imageSize != faceBytes)
            throw new InvalidDataException($"{name}: mip level 0 imageSize {imageSize}, expected {faceBytes} for one {size}×{size} R11G11B10 face.");
        at += 4;
        if (file.Length < at + 6 * faceBytes)
            throw new InvalidDataException($"{name}: truncated ({file.Length} bytes, mip level 0 needs {at + 6 * faceBytes}).");

        var result = new RgbPlanarFrame[6];
        for (int f = 0; f < 6; f++)
        {
            var face = new RgbPlanarFrame(size, size);
            int n = face.PixelCount;
            var d = face.Data;
            var bytes = file.Slice((int)(at + f * faceBytes), (int)faceBytes);
            for (int i = 0; i < n; i++)
            {
                var (r, g, b) = UnpackR11G11B10(U32(bytes[(4 * i)..], little));
                d[i] = r;
                d[n + i] = g;
                d[2 * n + i] = b;
            }
            result[f] = face;
        }
        return new KtxCubemap(size, result);
    }

    private static uint U32(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    /// <summary>Unpacks GL_R11F_G11F_B10F: R = bits 0–10 and G = bits 11–21 (6-bit mantissa), B = bits 22–31 (5-bit mantissa), each with a 5-bit exponent above the mantissa.</summary>
    public static (float R, float G, float B) UnpackR11G11B10(uint packed) =>
        (UnsignedFloat(packed & 0x7FF, 6), UnsignedFloat((packed >> 11) & 0x7FF, 6), UnsignedFloat(packed >> 22, 5));

    /// <summary>
    /// An unsigned 11- or 10-bit float (OpenGL 4.6 §2.3.4.3–4): exponent e (5 bits, bias 15) above an
    /// M-bit mantissa m. e = 0: 2^−14·m/2^M; 0 &lt; e &lt; 31: 2^(e−15)·(1 + m/2^M); e = 31: +∞ if m = 0, else NaN.
    /// </summary>
    public static float UnsignedFloat(uint bits, int mantissaBits)
    {
        uint m = bits & ((1u << mantissaBits) - 1);
        int e = (int)(bits >> mantissaBits) & 31;
        float fraction = m / (float)(1 << mantissaBits);
        return e switch
        {
            0 => MathF.ScaleB(fraction, -14),
            31 => m == 0 ? float.PositiveInfinity : float.NaN,
            _ => MathF.ScaleB(1 + fraction, e - 15),
        };
    }

    /// <summary>
    /// The cube map's value in direction (x, y, z), bilinear within the selected face (clamped at its
    /// edges). Face and face coordinates per OpenGL 4.6 Table 8.19: major axis +x → (sc, tc) = (−z, −y),
    /// −x → (+z, −y), +y → (+x, +z), −y → (+x, −z), +z → (+x, −y), −z → (−x, −y);
    /// s = (sc/|ma| + 1)/2, t = (tc/|ma| + 1)/2.
    /// </summary>
    public (float R, float G, float B) Sample(double x, double y, double z)
    {
        double ax = Math.Abs(x), ay = Math.Abs(y), az = Math.Abs(z);
        int face;
        double sc, tc, ma;
        if (ax >= ay && ax >= az)
            (face, sc, tc, ma) = x >= 0 ? (0, -z, -y, ax) : (1, z, -y, ax);
        else if (ay >= az)
            (face, sc, tc, ma) = y >= 0 ? (2, x, z, ay) : (3, x, -z, ay);
        else
            (face, sc, tc, ma) = z >= 0 ? (4, x, -y, az) : (5, -x, -y, az);
        if (ma == 0) throw new ArgumentException("The direction (0, 0, 0) has no cube-map face.");

        double u = (sc / ma + 1) / 2 * Size - 0.5, v = (tc / ma + 1) / 2 * Size - 0.5;
        u = Math.Clamp(u, 0, Size - 1);
        v = Math.Clamp(v, 0, Size - 1);
        int last = Math.Max(Size - 2, 0);
        int u0 = Math.Min((int)u, last), v0 = Math.Min((int)v, last);
        int u1 = Math.Min(u0 + 1, Size - 1), v1 = Math.Min(v0 + 1, Size - 1);
        double fu = u - u0, fv = v - v0;
        var f = Faces[face];
        float At(int c) => (float)((1 - fv) * ((1 - fu) * f[c, v0, u0] + fu * f[c, v0, u1]) + fv * ((1 - fu) * f[c, v1, u0] + fu * f[c, v1, u1]));
        return (At(0), At(1), At(2));
    }

    /// <summary>
    /// Resamples the cube to an equirectangular panorama of <paramref name="width"/> × width/2 in the
    /// convention of <see cref="Equirect"/>: column centre u + 0.5 at longitude (u + 0.5)/W·360° − 180°,
    /// row centre v + 0.5 at latitude 90° − (v + 0.5)/H·180°, and direction
    /// (x, y, z) = (cos φ sin λ, sin φ, cos φ cos λ), so longitude 0 looks along +z and +90° along +x.
    /// The default width, 4 × the face size, keeps the faces' sampling density at the equator.
    /// </summary>
    public RgbPlanarFrame ToEquirect(int? width = null)
    {
        int w = width ?? 4 * Size;
        if (w < 2 || w % 2 != 0) throw new ArgumentOutOfRangeException(nameof(width), w, "The panorama width must be even and at least 2.");
        int h = w / 2;
        var output = new RgbPlanarFrame(w, h);
        int n = output.PixelCount;
        var d = output.Data;
        for (int v = 0; v < h; v++)
        {
            double lat = (0.5 - (v + 0.5) / h) * Math.PI;
            double cl = Math.Cos(lat), sl = Math.Sin(lat);
            for (int u = 0; u < w; u++)
            {
                double lon = ((u + 0.5) / w - 0.5) * 2 * Math.PI;
                var (r, g, b) = Sample(cl * Math.Sin(lon), sl, cl * Math.Cos(lon));
                int i = v * w + u;
                d[i] = r;
                d[n + i] = g;
                d[2 * n + i] = b;
            }
        }
        return output;
    }
}
