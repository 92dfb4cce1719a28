namespace M3Actors.Examples.Minix;

/// <summary>
/// Everything the Minix servers agree on, in one place (Minix's com.h and callnr.h): well-known slots, request codes,
/// the payload layout of each request and reply, and the error codes servers answer with. A reply reuses
/// <see cref="Message.Type"/> as its status: <see cref="Ok"/> or a negative code. Data never travels in messages:
/// names, file contents and directory listings move by vcopy between registered buffers (Minix's memory grants), and
/// a request only names the caller's buffer by its id.
/// </summary>
public static class MinixProtocol
{
    // System slots (generation 0): the same endpoint at every bind, so a restarted server is reached at the old value.
    /// <summary>PM, the process manager (Minix's PM_PROC_NR).</summary>
    public const int PmSlot = 0;
    /// <summary>VFS, the file server (VFS_PROC_NR).</summary>
    public const int VfsSlot = 1;
    /// <summary>RS, the reincarnation server (RS_PROC_NR).</summary>
    public const int RsSlot = 2;
    /// <summary>The clock server that sends alarms (Minix's CLOCK task).</summary>
    public const int ClockSlot = 3;
    /// <summary>The disk driver (a block device driver such as at_wini).</summary>
    public const int DiskSlot = 4;

    /// <summary>PM's endpoint.</summary>
    public static Endpoint Pm => Endpoint.System(PmSlot);
    /// <summary>VFS's endpoint.</summary>
    public static Endpoint Vfs => Endpoint.System(VfsSlot);
    /// <summary>RS's endpoint.</summary>
    public static Endpoint Rs => Endpoint.System(RsSlot);
    /// <summary>The clock's endpoint.</summary>
    public static Endpoint Clock => Endpoint.System(ClockSlot);
    /// <summary>The disk driver's endpoint.</summary>
    public static Endpoint Disk => Endpoint.System(DiskSlot);

    // --- PM. Every request by sendrec.
    /// <summary>fork + exec: text = command line ("sh 3 800") → int 0 = the new process's endpoint.</summary>
    public const int PmExec = 1;
    /// <summary>waitpid: int 0 = endpoint → deferred until it exits; int 0 = its exit status.</summary>
    public const int PmWaitPid = 2;
    /// <summary>kill: int 0 = endpoint → Ok; waiters then get exit status <see cref="ExitKilled"/>.</summary>
    public const int PmKill = 3;

    // --- VFS. Every request by sendrec; the reply may be deferred while VFS waits for the disk.
    /// <summary>open: int 0 = buffer holding the path, int 1 = path length, int 2 = flags → int 0 = fd.</summary>
    public const int VfsOpen = 10;
    /// <summary>read: int 0 = fd, int 1 = caller's buffer, int 2 = count → int 0 = bytes read (0 at EOF).</summary>
    public const int VfsRead = 11;
    /// <summary>write: int 0 = fd, int 1 = caller's buffer, int 2 = count → int 0 = bytes written.</summary>
    public const int VfsWrite = 12;
    /// <summary>close: int 0 = fd.</summary>
    public const int VfsClose = 13;
    /// <summary>stat: int 0 = buffer holding the path, int 1 = path length → int 0 = size in bytes.</summary>
    public const int VfsStat = 14;
    /// <summary>getdents: int 0 = caller's buffer, int 1 = its size → int 0 = bytes of "name\n" entries.</summary>
    public const int VfsGetDents = 15;

    /// <summary>open flag: create the file if it does not exist.</summary>
    public const int OCreat = 1;
    /// <summary>open flag: empty the file.</summary>
    public const int OTrunc = 2;

    // --- Disk driver (Minix's BDEV_READ / BDEV_WRITE), by sendrec from VFS only; one block per request.
    /// <summary>int 0 = block, int 1 = caller's buffer, int 2 = offset in it → the block is vcopied there.</summary>
    public const int BdevRead = 20;
    /// <summary>int 0 = block, int 1 = caller's buffer, int 2 = offset in it → the driver vcopies from there.</summary>
    public const int BdevWrite = 21;

    // --- Clock.
    /// <summary>sys_setalarm: int 0 = milliseconds → Ok at once; the clock notifies when the alarm fires.</summary>
    public const int SysSetAlarm = 30;

    // --- Reply codes beyond IpcStatus (Minix's errno values, negative as Minix servers return them).
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>ENOENT: no such file, or no such program.</summary>
    public const int NoEntry = -2;
    /// <summary>EIO: the device failed the transfer.</summary>
    public const int IoError = -5;
    /// <summary>EBADF: not an open file descriptor.</summary>
    public const int BadFd = -9;
    /// <summary>ECHILD: no such process to wait for.</summary>
    public const int NoChild = -10;
    /// <summary>EINVAL: a request field out of range.</summary>
    public const int Invalid = -22;
    /// <summary>EMFILE: too many open files.</summary>
    public const int TooManyOpen = -24;
    /// <summary>ENOSPC: the device is full.</summary>
    public const int NoSpace = -28;
    /// <summary>ENOSYS: unknown request type.</summary>
    public const int NoSys = -38;

    /// <summary>Exit status of a process PM killed (128 + SIGKILL, as a shell reports it).</summary>
    public const int ExitKilled = 137;
    /// <summary>Exit status of a process whose program threw (128 + SIGSEGV).</summary>
    public const int ExitCrashed = 139;

    /// <summary>The block size of the disk and of every VFS transfer step.</summary>
    public const int BlockSize = 1024;

    /// <summary>A request with up to three int fields.</summary>
    public static Message Request(int type, int a = 0, int b = 0, int c = 0)
    {
        var m = new Message(type);
        m.SetInt(0, a);
        m.SetInt(1, b);
        m.SetInt(2, c);
        return m;
    }

    /// <summary>A reply: a status in Type and an optional int 0.</summary>
    public static Message Answer(int status, int value = 0)
    {
        var m = new Message(status);
        m.SetInt(0, value);
        return m;
    }

    /// <summary>A reply for a result: a value ≥ 0 (fd, size, bytes) in int 0 with Ok, or a negative code.</summary>
    public static Message Result(int result) => result >= 0 ? Answer(Ok, result) : Answer(result);

    /// <summary>A name for a reply code, for reports: an errno name or the IpcStatus name.</summary>
    public static string Describe(int status) => status switch
    {
        Ok => "OK",
        NoEntry => "ENOENT",
        IoError => "EIO",
        BadFd => "EBADF",
        NoChild => "ECHILD",
        Invalid => "EINVAL",
        TooManyOpen => "EMFILE",
        NoSpace => "ENOSPC",
        NoSys => "ENOSYS",
        _ => ((IpcStatus)status).ToString(),
    };
}

/// <summary>
/// Fault injection, as an ordinary Akka message to a server: it crashes (throws) while serving its next request,
/// after taking it — the worst moment for whoever waits on it — and answers the sender <see cref="CrashArmed"/> at
/// once, so the injector knows which requests come after. Send it through <see cref="RsServer.ToService"/>.
/// </summary>
public sealed record CrashOnNextRequest;

/// <summary>The answer to <see cref="CrashOnNextRequest"/>: the server's next request crashes it.</summary>
/// <param name="Server">The server's endpoint.</param>
public sealed record CrashArmed(Endpoint Server);

/// <summary>The exception a server throws for <see cref="CrashOnNextRequest"/>.</summary>
public sealed class InjectedCrashException(string message) : Exception(message);
