namespace M3Actors;

/// <summary>
/// The one reading of a timed call's timeout (rulebook §11, §12.3), applied before the call changes any state:
/// <see cref="TimeSpan.Zero"/> means "do not block", <see cref="Timeout.InfiniteTimeSpan"/> and any timeout too large
/// for the platform's waits (over <see cref="int.MaxValue"/> ms, e.g. <see cref="TimeSpan.MaxValue"/>) mean infinite,
/// another negative value is an <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
internal static class IpcTimeout
{
    /// <summary>The timeout as the wait will use it: zero, positive (at most int.MaxValue ms), or infinite.</summary>
    internal static TimeSpan Check(TimeSpan timeout, string paramName = "timeout")
    {
        if (timeout == Timeout.InfiniteTimeSpan) return timeout;
        if (timeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(paramName, timeout,
                "a timeout is zero, positive, or Timeout.InfiniteTimeSpan");
        return timeout.TotalMilliseconds > int.MaxValue ? Timeout.InfiniteTimeSpan : timeout;
    }
}
