using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HdrUp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Checkpoints;

/// <summary>
/// Reader and writer of the safetensors format (huggingface/safetensors): 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}},
/// then the raw little-endian tensor bytes. Written here rather than through TorchSharp.PyBridge so the
/// header keeps the state-dict order, carries metadata and is padded to 8 bytes as the format recommends.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor of a safetensors file (CPU tensors in their stored dtype) and its metadata.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Malformed file (message names the file and the problem).</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such safetensors file.", path);
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) != 8)
            throw new InvalidDataException($"{path}: too short for a safetensors file.");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 1 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            throw new InvalidDataException($"{path}: invalid safetensors header length {headerLength}.");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try { header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new InvalidDataException($"{path}: empty safetensors header."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: safetensors header is not valid JSON ({e.Message})."); }

        long dataStart = 8 + headerLength, dataLength = stream.Length - dataStart;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.ToString() ?? "";
                    continue;
                }
                var entry = node?.AsObject() ?? throw new InvalidDataException($"{path}: tensor '{name}' has no header entry.");
                string dtypeName = entry["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: tensor '{name}' has no dtype.");
                var dtype = ToScalarType(dtypeName) ?? throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype {dtypeName}.");
                long[] shape = entry["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
                long count = shape.Aggregate(1L, (a, b) => a * b);
                long bytes = count * ElementSize(dtype);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != bytes || offsets[1] > dataLength)
                    throw new InvalidDataException($"{path}: tensor '{name}' has data offsets inconsistent with its shape and dtype.");
                var buffer = new byte[bytes];
                stream.Position = dataStart + offsets[0];
                stream.ReadExactly(buffer);
                var tensor = torch.empty(shape, dtype);
                tensor.bytes = buffer;
                tensors.Add(name, tensor);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or EndOfStreamException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"{path}: malformed safetensors header ({e.Message}).");
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    /// <summary>
    /// Writes tensors in the given order. With <paramref name="halfPrecision"/> float32 tensors are stored as F16
    /// (other dtypes unchanged). The file is written to a temporary name and moved into place.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, bool halfPrecision = false,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var blobs = new List<(string Name, string DType, long[] Shape, byte[] Data)>();
        foreach (var (name, tensor) in tensors)
        {
            using var scope = torch.NewDisposeScope();
            var t = tensor.detach().cpu();
            if (halfPrecision && t.dtype == ScalarType.Float32) t = t.to(ScalarType.Float16);
            t = t.contiguous();
            string dtype = ToDTypeName(t.dtype) ?? throw new ArgumentException($"{path}: tensor '{name}' has unsupported dtype {t.dtype}.", nameof(tensors));
            blobs.Add((name, dtype, t.shape, t.bytes.ToArray()));
        }

        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var b in blobs)
        {
            header[b.Name] = new JsonObject
            {
                ["dtype"] = b.DType,
                ["shape"] = new JsonArray(b.Shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + b.Data.LongLength)),
            };
            offset += b.Data.LongLength;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;   // the format recommends 8-byte alignment, padded with spaces

        AtomicFile.Write(path, (Stream stream) =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var b in blobs) stream.Write(b.Data);
        });
    }

    private static ScalarType? ToScalarType(string name) => name switch
    {
        "F64" => ScalarType.Float64, "F32" => ScalarType.Float32, "F16" => ScalarType.Float16, "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64, "I32" => ScalarType.Int32, "I16" => ScalarType.Int16, "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte, "BOOL" => ScalarType.Bool, _ => null,
    };

    private static string? ToDTypeName(ScalarType type) => type switch
    {
        ScalarType.Float64 => "F64", ScalarType.Float32 => "F32", ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64", ScalarType.Int32 => "I32", ScalarType.Int16 => "I16", ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8", ScalarType.Bool => "BOOL", _ => null,
    };

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
