using System.Buffers.Binary;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

// KTX files are built here byte by byte (KTX 1 spec layout); the Open3D skyboxes themselves are not needed.
public sealed class KtxCubemapTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hdrup-ktx-" + Guid.NewGuid().ToString("N")[..8]);

    public KtxCubemapTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A KTX 1 file: 64-byte header, key/value data, imageSize of one face, six faces of packed texels.</summary>
    private static byte[] Ktx(int size, Func<int, int, uint> texel, uint internalFormat = KtxCubemap.GlR11fG11fB10f, uint faces = 6,
        int keyValueBytes = 0, bool bigEndian = false, int dropBytes = 0)
    {
        int faceBytes = 4 * size * size;
        var file = new byte[64 + keyValueBytes + 4 + (int)faces * faceBytes];
        KtxCubemap.Identifier.CopyTo(file);
        void Put(int at, uint v)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), v);
        }
        // endianness, glType (GL_UNSIGNED_INT_10F_11F_11F_REV), glTypeSize, glFormat (GL_RGB), glInternalFormat,
        // glBaseInternalFormat, pixelWidth, pixelHeight, pixelDepth, numberOfArrayElements, numberOfFaces, mip levels, bytesOfKeyValueData
        uint[] header = [0x04030201, 0x8C3B, 4, 0x1907, internalFormat, 0x1907, (uint)size, (uint)size, 0, 0, faces, 1, (uint)keyValueBytes];
        for (int i = 0; i < header.Length; i++) Put(12 + 4 * i, header[i]);
        int at = 64 + keyValueBytes;
        Put(at, (uint)faceBytes);
        at += 4;
        for (int f = 0; f < faces; f++)
            for (int i = 0; i < size * size; i++, at += 4)
                Put(at, texel(f, i));
        return file[..^dropBytes];
    }

    private static uint Pack(uint r11, uint g11, uint b10) => r11 | g11 << 11 | b10 << 22;

    [Theory]
    // Unsigned 11/10-bit floats, OpenGL 4.6 §2.3.4.3–4: 2^(e−15)·(1 + m/2^M), denormal 2^−14·m/2^M.
    [InlineData(0x3C0u, 6, 1.0)]                   // e = 15, m = 0
    [InlineData(0x380u, 6, 0.5)]                   // e = 14
    [InlineData(0x3E0u, 6, 1.5)]                   // e = 15, m = 32/64
    [InlineData(0x7BFu, 6, 65024.0)]               // e = 30, m = 63: the largest finite 11-bit value (spec: 65024)
    [InlineData(0x001u, 6, 9.5367431640625e-7)]    // e = 0, m = 1: 2^−14/64 = 2^−20, smallest denormal
    [InlineData(0x03Fu, 6, 6.008148193359375e-5)]  // e = 0, m = 63: 2^−14·63/64, the largest denormal
    [InlineData(0x000u, 6, 0.0)]
    [InlineData(0x1E0u, 5, 1.0)]                   // 10-bit: e = 15, m = 0
    [InlineData(0x3DFu, 5, 64512.0)]               // e = 30, m = 31: the largest finite 10-bit value (spec: 64512)
    [InlineData(0x001u, 5, 1.9073486328125e-6)]    // 2^−14/32 = 2^−19
    public void Unpacks_unsigned_small_floats(uint bits, int mantissaBits, double expected) =>
        Assert.Equal(expected, KtxCubemap.UnsignedFloat(bits, mantissaBits), 12);

    [Fact]
    public void Infinity_and_nan()
    {
        Assert.Equal(float.PositiveInfinity, KtxCubemap.UnsignedFloat(0x7C0, 6));
        Assert.True(float.IsNaN(KtxCubemap.UnsignedFloat(0x7C1, 6)));
        Assert.Equal(float.PositiveInfinity, KtxCubemap.UnsignedFloat(0x3E0, 5));
    }

    [Fact]
    public void Unpacks_the_three_fields_of_r11g11b10()
    {
        // R = 1.0 (bits 0–10), G = 0.5 (bits 11–21), B = 64512 (bits 22–31).
        var (r, g, b) = KtxCubemap.UnpackR11G11B10(Pack(0x3C0, 0x380, 0x3DF));
        Assert.Equal(1.0f, r);
        Assert.Equal(0.5f, g);
        Assert.Equal(64512f, b);
        // The first texel of Open3D's default_skybox.ktx, 0x71DC3367: R e=13 m=39, G e=14 m=6, B e=14 m=7.
        (r, g, b) = KtxCubemap.UnpackR11G11B10(0x71DC3367);
        Assert.Equal(0.25 * (1 + 39 / 64.0), r, 9);
        Assert.Equal(0.5 * (1 + 6 / 64.0), g, 9);
        Assert.Equal(0.5 * (1 + 7 / 32.0), b, 9);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 24)] // key/value data is skipped
    public void Decodes_each_face_from_a_file(bool bigEndian, int keyValueBytes)
    {
        // Face f, texel i: R = 2^f (exponent 15 + f), G = texel index i as a denormal count (m = i), B = 1.0.
        var bytes = Ktx(4, (f, i) => Pack((uint)(15 + f) << 6, (uint)i, 0x1E0), keyValueBytes: keyValueBytes, bigEndian: bigEndian);
        string path = Path.Combine(_root, "cube.ktx");
        File.WriteAllBytes(path, bytes);
        var cube = KtxCubemap.Read(path);
        Assert.Equal(4, cube.Size);
        Assert.Equal(6, cube.Faces.Count);
        for (int f = 0; f < 6; f++)
            for (int i = 0; i < 16; i++)
            {
                Assert.Equal(Math.Pow(2, f), cube.Faces[f][0, i / 4, i % 4]);
                Assert.Equal(i / 64.0 * Math.Pow(2, -14), cube.Faces[f][1, i / 4, i % 4], 12);
                Assert.Equal(1.0, cube.Faces[f][2, i / 4, i % 4]);
            }
    }

    [Fact]
    public void Each_axis_of_the_panorama_shows_its_face()
    {
        // Constant faces in KTX order +X, −X, +Y, −Y, +Z, −Z with R = 2^f. In the Equirect convention
        // longitude λ = 0 looks along +z, +90° along +x; column centre u + 0.5 = W·(λ + 180°)/360°.
        var bytes = Ktx(16, (f, _) => Pack((uint)(15 + f) << 6, 0x3C0, 0x1E0));
        var pano = KtxCubemap.Parse("cube.ktx", bytes).ToEquirect();
        Assert.Equal((64, 32), (pano.Width, pano.Height)); // 4 × the face size, 2:1
        double R(int row, int col) => pano[0, row, col];
        Assert.Equal(1, R(16, 48));  // λ = +90° → +X
        Assert.Equal(2, R(16, 16));  // λ = −90° → −X
        Assert.Equal(16, R(16, 32)); // λ = 0 → +Z
        Assert.Equal(32, R(16, 0));  // λ = ±180° → −Z
        Assert.Equal(32, R(16, 63));
        for (int col = 0; col < 64; col++)
        {
            Assert.Equal(4, R(0, col));  // top row, latitude 87° → +Y
            Assert.Equal(8, R(31, col)); // bottom row → −Y
        }
    }

    /// <summary>Face f: R = texel column, G = texel row, B = f, so a bilinear sample says where it came from.</summary>
    private static KtxCubemap Ramps(int size) => KtxCubemap.FromFaces(Enumerable.Range(0, 6).Select(f =>
    {
        var face = new RgbPlanarFrame(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                face[0, y, x] = x;
                face[1, y, x] = y;
                face[2, y, x] = f;
            }
        return face;
    }).ToList());

    [Theory]
    // OpenGL 4.6 Table 8.19, worked by hand for an 8-texel face: s = (sc/|ma| + 1)/2, column = 8s − 0.5, row = 8t − 0.5.
    [InlineData(1, 0.5, -0.25, 0, 4.5, 1.5)]  // +x: sc = −z = 0.25, tc = −y = −0.5
    [InlineData(-1, 0.5, -0.25, 1, 2.5, 1.5)] // −x: sc = +z = −0.25, tc = −y
    [InlineData(0.25, 1, 0.5, 2, 4.5, 5.5)]   // +y: sc = +x, tc = +z = 0.5
    [InlineData(0.25, -1, 0.5, 3, 4.5, 1.5)]  // −y: sc = +x, tc = −z = −0.5
    [InlineData(0.25, 0.5, 1, 4, 4.5, 1.5)]   // +z: sc = +x, tc = −y
    [InlineData(0.25, 0.5, -1, 5, 2.5, 1.5)]  // −z: sc = −x = −0.25, tc = −y
    public void Samples_faces_with_the_opengl_coordinates(double x, double y, double z, int face, double column, double row)
    {
        var (r, g, b) = Ramps(8).Sample(x, y, z);
        Assert.Equal(face, b);
        Assert.Equal(column, r, 5);
        Assert.Equal(row, g, 5);
    }

    [Fact]
    public void A_smooth_scene_stays_smooth_across_face_edges()
    {
        // Each texel holds (x, y, z) + 2 of its own direction (the inverse of Table 8.19); the panorama
        // must then hold (cos φ sin λ, sin φ, cos φ cos λ) + 2 everywhere, seams and poles included.
        const int n = 32;
        var faces = new List<RgbPlanarFrame>();
        for (int f = 0; f < 6; f++)
        {
            var face = new RgbPlanarFrame(n, n);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    double sc = 2 * (i + 0.5) / n - 1, tc = 2 * (j + 0.5) / n - 1;
                    (double x, double y, double z) = f switch
                    {
                        0 => (1, -tc, -sc),
                        1 => (-1, -tc, sc),
                        2 => (sc, 1, tc),
                        3 => (sc, -1, -tc),
                        4 => (sc, -tc, 1),
                        _ => (-sc, -tc, -1.0),
                    };
                    double len = Math.Sqrt(x * x + y * y + z * z);
                    face[0, j, i] = (float)(x / len + 2);
                    face[1, j, i] = (float)(y / len + 2);
                    face[2, j, i] = (float)(z / len + 2);
                }
            faces.Add(face);
        }
        var pano = KtxCubemap.FromFaces(faces).ToEquirect(128);
        double worst = 0;
        for (int v = 0; v < 64; v++)
            for (int u = 0; u < 128; u++)
            {
                double lat = (0.5 - (v + 0.5) / 64) * Math.PI, lon = ((u + 0.5) / 128 - 0.5) * 2 * Math.PI;
                double[] expected = [Math.Cos(lat) * Math.Sin(lon) + 2, Math.Sin(lat) + 2, Math.Cos(lat) * Math.Cos(lon) + 2];
                for (int c = 0; c < 3; c++) worst = Math.Max(worst, Math.Abs(pano[c, v, u] - expected[c]));
            }
        // Bilinear interpolation of a unit vector between texel centres 1/16 of a face apart, and
        // clamping in the outer half-texel at edges: errors stay at a few hundredths; a mirrored or
        // swapped face would give errors near 1–2.
        Assert.True(worst < 0.03, $"largest error {worst}");
    }

    [Fact]
    public void Rejects_other_ktx_files_with_a_one_line_error_naming_the_file()
    {
        string name = Path.Combine(_root, "bad.ktx");
        var good = Ktx(2, (_, _) => 0);
        var cases = new (byte[] Bytes, string Says)[]
        {
            ([.. good.Take(30)], "not a KTX 1 file"),
            ([.. new byte[12], .. good.Skip(12)], "not a KTX 1 file"),
            (Ktx(2, (_, _) => 0, internalFormat: 0x881B), "0x881B"), // GL_RGB16F
            (Ktx(2, (_, _) => 0, faces: 1), "not a single cube map"),
            (Ktx(2, (_, _) => 0, dropBytes: 1), "truncated"),
        };
        foreach (var (bytes, says) in cases)
        {
            File.WriteAllBytes(name, bytes);
            var ex = Assert.Throws<InvalidDataException>(() => KtxCubemap.Read(name));
            Assert.StartsWith(name + ":", ex.Message);
            Assert.Contains(says, ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    [Fact]
    public void A_folder_of_cube_maps_and_radiance_files_loads_as_panoramas()
    {
        // Without a manifest the builder probes each file; .ktx and .hdr are decoded in C#
        // (ffmpeg 5.1 reads neither). A KTX of 8² faces becomes a 32×16 panorama.
        string sources = Path.Combine(_root, "sources");
        Directory.CreateDirectory(sources);
        File.WriteAllBytes(Path.Combine(sources, "sky_box.ktx"), Ktx(8, (_, _) => Pack(0x3C0, 0x3C0, 0x1E0)));
        File.WriteAllBytes(Path.Combine(sources, "pano.hdr"), RadianceHdrTests.Flat(16, 8, [128, 128, 128, 129]));
        // What a killed samples run leaves (its download folder) is not taken for a source.
        string leftover = DatasetLayout.DownloadFolder(sources, "blender-data");
        Directory.CreateDirectory(leftover);
        File.WriteAllBytes(Path.Combine(leftover, "half.hdr"), RadianceHdrTests.Flat(16, 8, [128, 128, 128, 129]));
        var files = DatasetBuilder.LoadSources(sources, CancellationToken.None);
        Assert.Equal(["pano", "sky-box"], files.Select(f => f.Id));
        Assert.All(files, f => Assert.Equal(SourceKind.Panorama, f.Kind));
        Assert.Equal((16, 8), (files[0].Width, files[0].Height));
        Assert.Equal((32, 16), (files[1].Width, files[1].Height));
    }
}
