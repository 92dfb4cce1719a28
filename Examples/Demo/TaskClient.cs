namespace M3Actors.Examples.Demo;

/// <summary>
/// A client that is a plain async task holding an <see cref="EndpointHandle"/> (the seed's "Linux process calling
/// mnx_sendrec"). It uses the async sendrec, so a waiting client holds no thread; every wait has a deadline, so a
/// broken server cannot hang it (cancelling a call leaves no trace in the kernel's queues).
/// </summary>
public static class TaskClient
{
    /// <summary>Finds fs through pm, then reads <paramref name="block"/> into a buffer of its own.</summary>
    public static async Task<ReadResult> ReadBlockAsync(EndpointHandle me, int block, TimeSpan timeout)
    {
        var lookup = await CallAsync(me, Protocol.Pm, Protocol.Named(Protocol.PmLookup, "fs"), timeout);
        if (lookup.Status != IpcStatus.Ok) return new(me.Endpoint, block, lookup.Status, 0, false);
        var fs = new Endpoint(lookup.Message.GetInt(0));

        // The buffer fs will vcopy into: registered writable, and named in the request by its id.
        var buffer = new byte[DiskImage.BlockSize];
        var id = me.RegisterBuffer(buffer, BufferAccess.Write);
        var request = new Message(Protocol.FsRead);
        request.SetInt(0, block);
        request.SetInt(1, id);
        // While we wait for the reply, fs copies the block into our buffer; when sendrec returns it is there.
        var read = await CallAsync(me, fs, request, timeout);
        me.UnregisterBuffer(id);
        return read.Status == IpcStatus.Ok
            ? ReadResult.Verify(me.Endpoint, block, read.Message, buffer)
            : new(me.Endpoint, block, read.Status, 0, false);
    }

    /// <summary>
    /// sendrec with a deadline. The status is the call's error, else the reply's Type (servers here answer with a
    /// status code in Type).
    /// </summary>
    public static async Task<IpcResult> CallAsync(EndpointHandle me, Endpoint server, Message request, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var result = await me.SendRecAsync(server, request, deadline.Token);
            return result.Status == IpcStatus.Ok ? result with { Status = (IpcStatus)result.Message.Type } : result;
        }
        catch (OperationCanceledException)
        {
            return new IpcResult(IpcStatus.TimedOut, default);
        }
    }
}
