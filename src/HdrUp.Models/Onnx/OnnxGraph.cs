using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace HdrUp.Models.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size or a named free one (<c>dim_param</c>).</summary>
internal readonly record struct OnnxDim(long Value, string? Param)
{
    public static implicit operator OnnxDim(long value) => new(value, null);
    public static implicit operator OnnxDim(string param) => new(0, param);
}

/// <summary>A node attribute of one of the four kinds the exported graphs use.</summary>
internal sealed record OnnxAttribute(string Name, OnnxAttributeType Type, long IntValue = 0, float FloatValue = 0, string? TextValue = null, long[]? IntValues = null)
{
    public static OnnxAttribute Int(string name, long value) => new(name, OnnxAttributeType.Int, IntValue: value);
    public static OnnxAttribute Float(string name, float value) => new(name, OnnxAttributeType.Float, FloatValue: value);
    public static OnnxAttribute Text(string name, string value) => new(name, OnnxAttributeType.String, TextValue: value);
    // A list even with one element: the type is part of an operator's signature (ReduceMean's axes are INTS).
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, OnnxAttributeType.Ints, IntValues: values);
}

/// <summary>The <c>AttributeProto.AttributeType</c> values used here.</summary>
internal enum OnnxAttributeType
{
    Float = 1,
    Int = 2,
    String = 3,
    Ints = 7,
}

/// <summary>The <c>TensorProto.DataType</c> values the graphs use: float32 activations and weights, and the integer
/// types of the int8 graph (uint8 activations, int8 weights, int32 biases), and int64 for index operands (Slice).</summary>
internal enum OnnxElement
{
    Float = 1,
    Uint8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
}

/// <summary>One operator of a graph. <paramref name="KeepFloat"/> marks the nodes <see cref="OnnxInt8"/> must leave in float
/// (it is not serialised).</summary>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes, bool KeepFloat = false);

/// <summary>A constant tensor: <paramref name="Data"/> is a float[], sbyte[], byte[], int[] or long[] matching <paramref name="Type"/>.</summary>
internal sealed record OnnxInitializer(string Name, long[] Dims, OnnxElement Type, Array Data);

/// <summary>
/// An ONNX graph under construction and its serialisation as a ModelProto (IR version 8, default-domain opset 17). Nodes
/// are appended in execution order, which keeps the graph topologically sorted as the format requires; each node output
/// gets a fresh name, initializers keep the names they are given. Inputs and outputs are float32.
/// </summary>
internal sealed class OnnxGraph
{
    public const long IrVersion = 8;
    public const long Opset = 17;

    // Field numbers of onnx.proto (IR version 8).
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelGraph = 7, ModelOpsetImport = 8, ModelMetadata = 14;
    private const int OpsetVersion = 2;
    private const int EntryKey = 1, EntryValue = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeFloat = 2, AttributeInt = 3, AttributeString = 4, AttributeInts = 8, AttributeTypeField = 20;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int ValueName = 1, ValueType = 2, TypeTensor = 1, TensorTypeElem = 1, TensorTypeShape = 2, ShapeDim = 1, DimValue = 1, DimParam = 2;

    private readonly List<OnnxNode> nodes = new();
    private readonly List<OnnxInitializer> initializers = new();
    private readonly Dictionary<string, OnnxInitializer> initializerNames = new(StringComparer.Ordinal);

    /// <summary>The nodes in execution order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => nodes;

    /// <summary>The initializers in the order they were added.</summary>
    public IReadOnlyList<OnnxInitializer> Initializers => initializers;

    /// <summary>While true, the nodes added are marked <see cref="OnnxNode.KeepFloat"/>.</summary>
    public bool KeepingFloat { get; set; }

    /// <summary>Appends a node with one output and returns that output's name.</summary>
    public string Add(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
        => Add(opType, inputs, 1, attributes)[0];

    /// <summary>Appends a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Add(string opType, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        string name = $"{opType}_{nodes.Count}";
        var outputNames = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? name : $"{name}:{i}").ToArray();
        nodes.Add(new OnnxNode(opType, name, inputs.ToArray(), outputNames, attributes, KeepingFloat));
        return outputNames;
    }

    /// <summary>Appends a node as it is, names included (a node copied from another graph).</summary>
    public void Append(OnnxNode node) => nodes.Add(node);

    /// <summary>Makes <paramref name="value"/> available under <paramref name="name"/> too (an Identity node, which
    /// runtimes remove), so a graph output can have a chosen name.</summary>
    public void Alias(string value, string name) => nodes.Add(new OnnxNode("Identity", $"Identity_{nodes.Count}", [value], [name], []));

    public bool HasInitializer(string name) => initializerNames.ContainsKey(name);

    /// <summary>The initializer named <paramref name="name"/>, or null if none is.</summary>
    public OnnxInitializer? Initializer(string name) => initializerNames.GetValueOrDefault(name);

    /// <summary>Adds a constant float32 tensor (a weight, or a scalar when <paramref name="dims"/> is empty).</summary>
    public string AddInitializer(string name, long[] dims, float[] data) => AddInitializer(new OnnxInitializer(name, dims, OnnxElement.Float, data));

    /// <summary>Adds a constant tensor of any <see cref="OnnxElement"/> type.</summary>
    public string AddInitializer(OnnxInitializer initializer)
    {
        var (name, dims, data) = (initializer.Name, initializer.Dims, initializer.Data);
        if (dims.Aggregate(1L, (a, b) => a * b) != data.Length)
            throw new ArgumentException($"Initializer {name}: shape [{string.Join(", ", dims)}] does not hold {data.Length} values.", nameof(initializer));
        Type expected = initializer.Type switch
        {
            OnnxElement.Float => typeof(float[]), OnnxElement.Uint8 => typeof(byte[]), OnnxElement.Int8 => typeof(sbyte[]),
            OnnxElement.Int64 => typeof(long[]), _ => typeof(int[]),
        };
        if (data.GetType() != expected) throw new ArgumentException($"Initializer {name}: {initializer.Type} needs a {expected.Name}.", nameof(initializer));
        if (!initializerNames.TryAdd(name, initializer)) throw new ArgumentException($"Initializer {name} exists already.", nameof(initializer));
        initializers.Add(initializer);
        return name;
    }

    /// <summary>The serialised ModelProto with one float32 input and one float32 output.</summary>
    public byte[] ToModel(string graphName, (string Name, OnnxDim[] Shape) input, (string Name, OnnxDim[] Shape) output,
        IReadOnlyDictionary<string, string> metadata) => ToModel(graphName, input, [output], metadata);

    /// <summary>The serialised ModelProto with one float32 input and float32 outputs (a shape of rank 0 is a scalar).</summary>
    public byte[] ToModel(string graphName, (string Name, OnnxDim[] Shape) input, IReadOnlyList<(string Name, OnnxDim[] Shape)> outputs,
        IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ProtoWriter();
        model.Varint(ModelIrVersion, IrVersion);
        model.String(ModelProducerName, "HdrUp");
        model.Message(ModelGraph, g => WriteGraph(g, graphName, input, outputs));
        model.Message(ModelOpsetImport, o => o.Varint(OpsetVersion, Opset));   // empty domain = the default ONNX domain
        foreach (var (key, value) in metadata)
            model.Message(ModelMetadata, e => { e.String(EntryKey, key); e.String(EntryValue, value); });
        return model.ToArray();
    }

    /// <summary>One serialised <c>metadata_props</c> entry of a ModelProto. Appended to a serialised model it is one
    /// more entry of that model: a parser merges a repeated field's occurrences wherever they stand.</summary>
    public static byte[] MetadataEntry(string key, string value)
    {
        var entry = new ProtoWriter();
        entry.Message(ModelMetadata, e => { e.String(EntryKey, key); e.String(EntryValue, value); });
        return entry.ToArray();
    }

    private void WriteGraph(ProtoWriter g, string graphName, (string Name, OnnxDim[] Shape) input, IReadOnlyList<(string Name, OnnxDim[] Shape)> outputs)
    {
        foreach (var node in nodes) g.Message(GraphNode, n => WriteNode(n, node));
        g.String(GraphName, graphName);
        foreach (var initializer in initializers) g.Message(GraphInitializer, t => WriteTensor(t, initializer));
        g.Message(GraphInput, v => WriteValueInfo(v, input.Name, input.Shape));
        foreach (var (name, shape) in outputs) g.Message(GraphOutput, v => WriteValueInfo(v, name, shape));
    }

    private static void WriteNode(ProtoWriter n, OnnxNode node)
    {
        foreach (string input in node.Inputs) n.String(NodeInput, input);
        foreach (string output in node.Outputs) n.String(NodeOutput, output);
        n.String(NodeName, node.Name);
        n.String(NodeOpType, node.OpType);
        foreach (var attribute in node.Attributes) n.Message(NodeAttribute, a => WriteAttribute(a, attribute));
    }

    private static void WriteAttribute(ProtoWriter a, OnnxAttribute attribute)
    {
        a.String(AttributeName, attribute.Name);
        switch (attribute.Type)
        {
            case OnnxAttributeType.Float: a.Float(AttributeFloat, attribute.FloatValue); break;
            case OnnxAttributeType.Int: a.Varint(AttributeInt, attribute.IntValue); break;
            case OnnxAttributeType.String: a.String(AttributeString, attribute.TextValue!); break;
            case OnnxAttributeType.Ints: foreach (long v in attribute.IntValues!) a.Varint(AttributeInts, v); break;
        }
        a.Varint(AttributeTypeField, (long)attribute.Type);
    }

    private static void WriteTensor(ProtoWriter t, OnnxInitializer initializer)
    {
        foreach (long d in initializer.Dims) t.Varint(TensorDims, d);
        t.Varint(TensorDataType, (long)initializer.Type);
        t.String(TensorName, initializer.Name);
        t.Bytes(TensorRawData, RawData(initializer.Data));
    }

    // raw_data is little-endian whatever the host.
    private static byte[] RawData(Array data)
    {
        switch (data)
        {
            case float[] floats:
                var raw = new byte[floats.Length * sizeof(float)];
                for (int i = 0; i < floats.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), floats[i]);
                return raw;
            case int[] ints:
                raw = new byte[ints.Length * sizeof(int)];
                for (int i = 0; i < ints.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(i * sizeof(int)), ints[i]);
                return raw;
            case long[] longs:
                raw = new byte[longs.Length * sizeof(long)];
                for (int i = 0; i < longs.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), longs[i]);
                return raw;
            case sbyte[] signed:
                return MemoryMarshal.AsBytes(signed.AsSpan()).ToArray();
            default:
                return ((byte[])data).ToArray();
        }
    }

    private static void WriteValueInfo(ProtoWriter v, string name, OnnxDim[] shape)
    {
        v.String(ValueName, name);
        v.Message(ValueType, type => type.Message(TypeTensor, tensor =>
        {
            tensor.Varint(TensorTypeElem, (long)OnnxElement.Float);
            tensor.Message(TensorTypeShape, s =>
            {
                foreach (var dim in shape)
                    s.Message(ShapeDim, d =>
                    {
                        if (dim.Param is null) d.Varint(DimValue, dim.Value);
                        else d.String(DimParam, dim.Param);
                    });
            });
        }));
    }
}
