using HdrUp.Bench;

namespace HdrUp.Bench.Tests;

public class OnnxProfileBenchTests
{
    // A trace in ONNX Runtime's layout (microseconds): a warm-up run at 0–1000 whose nodes must not count, then two runs
    // at 2000–2500 and 3000–3700 (mean 0.6 ms). Per run: Conv_0 (200 + 300) / 2 = 250 µs, Conv_1 (100 + 100) / 2 = 100 µs,
    // DepthToSpace_2 (50 + 150) / 2 = 100 µs; so Conv 350 µs over 2 nodes, then DepthToSpace 100 µs. The fence events and the
    // session's own events are not kernel time.
    [Fact]
    public void The_trace_is_summed_per_run_after_the_warm_up_by_node_and_operator()
    {
        const string trace = """
            [
              {"cat": "Session", "name": "session_initialization", "ts": 0, "dur": 50, "args": {}},
              {"cat": "Session", "name": "model_run", "ts": 0, "dur": 1000, "args": {}},
              {"cat": "Node", "name": "Conv_0_kernel_time", "ts": 10, "dur": 900, "args": {"op_name": "Conv"}},
              {"cat": "Session", "name": "model_run", "ts": 2000, "dur": 500, "args": {}},
              {"cat": "Node", "name": "Conv_0_fence_before", "ts": 2001, "dur": 0, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "Conv_0_kernel_time", "ts": 2005, "dur": 200, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "Conv_1_kernel_time", "ts": 2210, "dur": 100, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "DepthToSpace_2_kernel_time", "ts": 2320, "dur": 50, "args": {"op_name": "DepthToSpace"}},
              {"cat": "Session", "name": "model_run", "ts": 3000, "dur": 700, "args": {}},
              {"cat": "Node", "name": "Conv_0_kernel_time", "ts": 3005, "dur": 300, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "Conv_1_kernel_time", "ts": 3310, "dur": 100, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "DepthToSpace_2_kernel_time", "ts": 3420, "dur": 150, "args": {"op_name": "DepthToSpace"}}
            ]
            """;
        var summary = OnnxProfileBench.Summarise(trace, skipRuns: 1);
        Assert.Equal(2, summary.Runs);
        Assert.Equal(600e-6, summary.RunSeconds, 12);
        Assert.Equal(450e-6, summary.KernelSeconds, 12);
        Assert.Equal(["Conv_0", "Conv_1", "DepthToSpace_2"], summary.Nodes.Select(n => n.Name));   // slowest first, ties by name
        Assert.Equal([250e-6, 100e-6, 100e-6], summary.Nodes.Select(n => Math.Round(n.Seconds, 12)));
        Assert.Equal(["Conv", "DepthToSpace"], summary.Operators.Select(o => o.OpType));
        Assert.Equal([2, 1], summary.Operators.Select(o => o.Nodes));
        Assert.Equal([350e-6, 100e-6], summary.Operators.Select(o => Math.Round(o.Seconds, 12)));
    }

    [Fact]
    public void A_trace_without_a_run_after_the_warm_up_is_refused()
    {
        const string trace = """[{"cat": "Session", "name": "model_run", "ts": 0, "dur": 1000, "args": {}}]""";
        Assert.Throws<InvalidDataException>(() => OnnxProfileBench.Summarise(trace, skipRuns: 1));
    }
}
