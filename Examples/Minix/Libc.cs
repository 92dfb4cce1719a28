using System.Text;
using static M3Actors.Examples.Minix.MinixProtocol;

namespace M3Actors.Examples.Minix;

/// <summary>
/// The system-call library of a user process (Minix's libc stubs): each call is one sendrec to PM, VFS or the clock.
/// The process's memory is a registered buffer; a call names it by id and the server vcopies into or out of it while
/// the process waits in its sendrec. Results follow the servers' convention: a value ≥ 0, or a negative code (an
/// errno value, or the IpcStatus of a failed call — e.g. SrcDied when VFS died under the request).
/// </summary>
public sealed class Libc
{
    private readonly EndpointHandle _me;
    private readonly byte[] _path = new byte[256];
    private readonly int _pathBuffer;
    private readonly TimeSpan _patience;
    private readonly CancellationToken _kill;
    private readonly MinixTrace? _trace;

    /// <summary>A library over <paramref name="me"/> with <paramref name="memorySize"/> bytes of memory.</summary>
    /// <param name="me">The process's endpoint.</param>
    /// <param name="memorySize">Size of <see cref="Memory"/>.</param>
    /// <param name="patience">The longest any one call may wait; a call that takes longer returns TimedOut.</param>
    /// <param name="kill">PM's kill: cancels the call in progress with OperationCanceledException.</param>
    /// <param name="trace">Where to note calls, as "shell".</param>
    public Libc(EndpointHandle me, int memorySize, TimeSpan patience, CancellationToken kill, MinixTrace? trace = null)
    {
        (_me, _patience, _kill, _trace) = (me, patience, kill, trace);
        Memory = new byte[memorySize];
        MemoryBuffer = me.RegisterBuffer(Memory, BufferAccess.ReadWrite);
        _pathBuffer = me.RegisterBuffer(_path, BufferAccess.Read);
    }

    /// <summary>The process's data memory: read and write move bytes between its start and the file.</summary>
    public byte[] Memory { get; }

    /// <summary>The id of <see cref="Memory"/> in the process's buffer table.</summary>
    public int MemoryBuffer { get; }

    /// <summary>open → an fd.</summary>
    public Task<int> OpenAsync(string path, int flags) => WithPath(VfsOpen, path, flags);

    /// <summary>stat → the file's size.</summary>
    public Task<int> StatAsync(string path) => WithPath(VfsStat, path, 0);

    /// <summary>read <paramref name="count"/> bytes into the start of <see cref="Memory"/> → bytes read.</summary>
    public Task<int> ReadAsync(int fd, int count) =>
        CallAsync(Vfs, Request(VfsRead, fd, MemoryBuffer, count), "VFS_READ");

    /// <summary>write <paramref name="count"/> bytes from the start of <see cref="Memory"/> → bytes written.</summary>
    public Task<int> WriteAsync(int fd, int count) => CallAsync(Vfs, Request(VfsWrite, fd, MemoryBuffer, count));

    /// <summary>close.</summary>
    public Task<int> CloseAsync(int fd) => CallAsync(Vfs, Request(VfsClose, fd));

    /// <summary>getdents → the names of all files (or the error code and no names).</summary>
    public async Task<(int Status, string[] Names)> ListAsync()
    {
        var bytes = await CallAsync(Vfs, Request(VfsGetDents, MemoryBuffer, Memory.Length));
        if (bytes < 0) return (bytes, []);
        return (Ok, Encoding.UTF8.GetString(Memory, 0, bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Sleeps: sets an alarm, then receives from the clock until its notify comes.</summary>
    public async Task<int> SleepAsync(int milliseconds)
    {
        var set = await CallAsync(Clock, Request(SysSetAlarm, milliseconds));
        if (set < 0) return set;
        using var deadline = Deadline();
        var (status, _) = await Guard(_me.ReceiveAsync(Clock, deadline.Token), deadline);
        return (int)status;
    }

    /// <summary>One system call: sendrec, then the reply's status or value (int 0).</summary>
    public async Task<int> CallAsync(Endpoint server, Message request, string? traceAs = null)
    {
        if (traceAs is not null && _trace?.IsRecording == true)
            _trace.Note("shell", "vfs", MinixTrace.TraceKind.Call,
                $"sendrec {traceAs} fd {request.GetInt(0)}, {request.GetInt(2)} B into buffer {request.GetInt(1)}");
        using var deadline = Deadline();
        var (status, reply) = await Guard(_me.SendRecAsync(server, request, deadline.Token), deadline);
        if (status != IpcStatus.Ok) return (int)status;
        return reply.Type == Ok ? reply.GetInt(0) : reply.Type;
    }

    private async Task<int> WithPath(int type, string path, int flags)
    {
        var length = Encoding.UTF8.GetBytes(path, _path);
        return await CallAsync(Vfs, Request(type, _pathBuffer, length, flags));
    }

    private CancellationTokenSource Deadline()
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(_kill);
        deadline.CancelAfter(_patience);
        return deadline;
    }

    // A cancelled call leaves no trace in the kernel. A kill propagates (PM reports the process killed); a deadline
    // becomes TimedOut, which the caller counts as a failure like any other error.
    private async Task<IpcResult> Guard(ValueTask<IpcResult> call, CancellationTokenSource deadline)
    {
        try
        {
            return await call;
        }
        catch (OperationCanceledException) when (!_kill.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            return new IpcResult(IpcStatus.TimedOut, default);
        }
    }
}
