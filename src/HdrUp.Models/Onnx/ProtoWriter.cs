using System.Buffers.Binary;
using System.Text;

namespace HdrUp.Models.Onnx;

/// <summary>
/// The protobuf wire format, as much of it as an ONNX model needs: varint and fixed32 scalars, length-delimited
/// strings, bytes and nested messages. Written by hand because a protobuf runtime plus generated ONNX classes would
/// be a large dependency for the handful of message types needed. Repeated scalars are written unpacked, one tag per
/// value, which every protobuf parser accepts for proto2 fields such as ONNX's.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly MemoryStream buffer = new();

    public void Varint(int field, long value)
    {
        Tag(field, WireVarint);
        RawVarint((ulong)value);   // negative int64 become ten-byte varints, as protobuf specifies
    }

    public void Float(int field, float value)
    {
        Tag(field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        buffer.Write(bytes);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLengthDelimited);
        RawVarint((ulong)value.Length);
        buffer.Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A nested message: <paramref name="write"/> fills it, then it goes in with its length prefix.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var nested = new ProtoWriter();
        write(nested);
        Bytes(field, nested.buffer.GetBuffer().AsSpan(0, (int)nested.buffer.Length));
    }

    public byte[] ToArray() => buffer.ToArray();

    private void Tag(int field, int wireType) => RawVarint((ulong)(field << 3 | wireType));

    private void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }
}
