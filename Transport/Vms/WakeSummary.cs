using System.Numerics;
using M3Actors.Transport.Processes;

namespace M3Actors.Transport;

/// <summary>
/// Which slot groups of a VM have wake requests for one process's wake thread: the bits of the process-table entry's
/// wake summary (<see cref="ProcessTable.WakeSummaryOf"/>), one per group of <see cref="GroupSize"/> consecutive
/// slots (one slot per bit up to 192 slots; 2 for the default 256). A waker marks the group after it set the
/// record's request bit and before it bumps the wake word; the wake thread takes the words by exchange before it
/// takes the records' bits, so a request is either seen in this pass or marked again for the next one. Without it
/// every pass read the request word of every record of the VM: 256 cache lines, some of them just written by the
/// other process.
/// </summary>
internal readonly struct WakeSummary(ProcessTable processes, int slots)
{
    private const int Bits = ProcessTable.WakeSummaryWords * 64;

    /// <summary>Consecutive slots that share one bit.</summary>
    public int GroupSize { get; } = Math.Max(1, (slots + Bits - 1) / Bits);

    /// <summary>Marks <paramref name="slot"/>'s group for the wake thread of process <paramref name="index"/>.</summary>
    public void Mark(int index, int slot)
    {
        var group = slot / GroupSize;
        ref var word = ref processes.WakeSummaryOf(index, group >> 6);
        var bit = 1L << (group & 63);
        // Read first: while the wake thread has not taken the bit yet, a repeated wake needs no locked write.
        if ((Volatile.Read(ref word) & bit) == 0) Interlocked.Or(ref word, bit);
    }

    /// <summary>
    /// Takes word <paramref name="word"/> of process <paramref name="index"/>'s summary (clearing it): bit i set means
    /// group <c>64 × word + i</c> may have requests.
    /// </summary>
    public long Take(int index, int word)
    {
        ref var summary = ref processes.WakeSummaryOf(index, word);
        return Volatile.Read(ref summary) == 0 ? 0 : Interlocked.Exchange(ref summary, 0);
    }

    /// <summary>The first slot of the group of the lowest bit of <paramref name="bits"/> in word
    /// <paramref name="word"/>.</summary>
    public int FirstSlotOf(int word, long bits) => (64 * word + BitOperations.TrailingZeroCount(bits)) * GroupSize;
}
