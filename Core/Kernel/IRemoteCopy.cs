namespace M3Actors.Kernel;

/// <summary>
/// What a kernel needs from the bridge to run a vcopy whose source or destination is a ghost (an endpoint hosted on
/// another node): Core stays free of Akka and the wire. The requester's kernel has validated the call, checked and
/// pinned its own parties and hands over the rest (<see cref="IpcKernel.AttachRemoteCopy"/>); the owner node of each
/// remote party checks and pins it there (<see cref="IpcKernel.PinForRemoteCopy"/>), the source's node streams the
/// bytes to the destination's, and <see cref="Copy"/> returns one status at the end.
/// </summary>
internal interface IRemoteCopy
{
    /// <summary>
    /// Runs <paramref name="copy"/> and blocks the requester until it has ended everywhere it can still reach: Ok,
    /// the status a remote party's node refused it with (as the local checks would), SrcDied/DstDied when a party
    /// ended, NotConnected when a party's node was lost, VmNotRunning when the VM ended here. Called outside the
    /// kernel's locks; <paramref name="why"/> says what went wrong for the requester's LastError.
    /// </summary>
    IpcStatus Copy(in RemoteCopy copy, out string? why);
}

/// <summary>One vcopy that spans nodes, as the requester's kernel hands it to the bridge.</summary>
/// <param name="Requester">The endpoint that asked for the copy.</param>
/// <param name="Source">The source party: a local proc (pinned, <paramref name="Read"/> is its region) or a ghost.</param>
/// <param name="From">The address in the source's buffers.</param>
/// <param name="Read">The source's region when it is local; empty for a ghost.</param>
/// <param name="Destination">The destination party: a local proc (pinned) or a ghost.</param>
/// <param name="To">The address in the destination's buffers.</param>
/// <param name="Write">The destination's region when it is local; empty for a ghost.</param>
/// <param name="Bytes">How many bytes to copy.</param>
internal readonly record struct RemoteCopy(Endpoint Requester, Proc Source, BufferAddress From, Memory<byte> Read,
    Proc Destination, BufferAddress To, Memory<byte> Write, int Bytes);
