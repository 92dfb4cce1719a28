using BenchmarkDotNet.Attributes;
using M3Actors.ClusterBridge.Frames;
using M3Actors.Perf.Harness;

namespace M3Actors.Perf.Cluster;

/// <summary>
/// The frame serializer's per-message work, as a node link does it under load: <see cref="FramesPerBatch"/> sendrec
/// frames encoded into one reused batch buffer, the batch checked as the receiving serializer checks it, and every
/// frame decoded as the receiving proxy does. One operation is one frame; it must allocate nothing (what is left is
/// per batch: the batch's byte array and its wrapper, which Akka's serializer API needs).
/// </summary>
[ReportAs("M3Actors frame codec", "IPC frame encode + check + decode (one op = one frame)")]
public class FrameCodecRoundTrip
{
    /// <summary>Frames in one batch (what 100 calls in flight produce).</summary>
    public const int FramesPerBatch = 100;

    private readonly byte[] _batch = new byte[1 + FramesPerBatch * FrameCodec.MaxFrameSize];
    private readonly IpcFrame _frame;

    /// <summary>A sendrec request as the bridge ships it.</summary>
    public FrameCodecRoundTrip()
    {
        var message = new Message(2);
        message.SetLong(0, 0x0123_4567_89AB_CDEF);
        _frame = new IpcFrame(FrameKind.SendRec, 4_000, Endpoint.Of(1, 140), Endpoint.System(0), IpcStatus.Ok, message);
    }

    /// <summary>One batch of <see cref="FramesPerBatch"/> frames written, checked and read.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public long EncodeCheckDecode()
    {
        _batch[0] = FrameCodec.Version;
        var length = 1;
        for (var i = 0; i < FramesPerBatch; i++) FrameCodec.Write(in _frame, _batch, ref length);
        var bytes = _batch.AsSpan(0, length);
        if (FrameCodec.Validate(bytes) != FramesPerBatch)
            throw new InvalidOperationException($"the batch did not hold {FramesPerBatch} frames");
        long sum = 0;
        for (var at = 1; at < length;) sum += FrameCodec.Read(bytes, ref at).Correlation;
        return sum;
    }
}
