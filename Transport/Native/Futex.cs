using System.Runtime.InteropServices;

namespace M3Actors.Transport.Native;

/// <summary>How a <see cref="Futex.Wait"/> ended.</summary>
internal enum FutexWaitResult
{
    /// <summary>
    /// A <see cref="Futex.Wake"/> on the word woke this waiter (or a spurious wake: re-check the word).
    /// </summary>
    Woken,

    /// <summary>The word no longer held the expected value when the call began: nothing to wait for.</summary>
    ValueChanged,

    /// <summary>The timeout passed.</summary>
    TimedOut,

    /// <summary>A signal interrupted the wait: re-check the word and wait again.</summary>
    Interrupted,
}

/// <summary>
/// Linux futex on a word of shared memory. The calls are the shared (not FUTEX_PRIVATE) forms, so a waiter in one
/// process is woken by a wake from another process on the same word of the same file mapping.
/// </summary>
internal static unsafe class Futex
{
    private const int WaitOp = 0;
    private const int WakeOp = 1;

    /// <summary>
    /// Sleeps while <paramref name="word"/> holds <paramref name="expected"/>, until woken or
    /// <paramref name="timeout"/> passes (<see cref="Timeout.InfiniteTimeSpan"/>: no limit).
    /// </summary>
    public static FutexWaitResult Wait(ref int word, int expected, TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "A futex timeout must be >= 0 or infinite.");
        }
        var span = LinuxSys.Timespec.From(timeout);
        fixed (int* address = &word)
        {
            var result = LinuxSys.Futex(LinuxSys.FutexNumber, address, WaitOp, expected,
                timeout == Timeout.InfiniteTimeSpan ? null : &span, null, 0);
            if (result == 0) return FutexWaitResult.Woken;
            return LinuxSys.Errno switch
            {
                LinuxSys.EAGAIN => FutexWaitResult.ValueChanged,
                LinuxSys.ETIMEDOUT => FutexWaitResult.TimedOut,
                LinuxSys.EINTR => FutexWaitResult.Interrupted,
                var errno => throw new IOException($"futex wait failed: {Marshal.GetPInvokeErrorMessage(errno)}"),
            };
        }
    }

    /// <summary>
    /// Wakes up to <paramref name="count"/> waiters on <paramref name="word"/>; returns how many woke.
    /// </summary>
    public static int Wake(ref int word, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        fixed (int* address = &word)
        {
            var result = LinuxSys.Futex(LinuxSys.FutexNumber, address, WakeOp, count, null, null, 0);
            if (result < 0)
            {
                throw new IOException($"futex wake failed: {Marshal.GetPInvokeErrorMessage(LinuxSys.Errno)}");
            }
            return (int)result;
        }
    }
}
