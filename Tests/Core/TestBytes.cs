namespace M3Actors.Tests.Core;

/// <summary>Buffers with known contents for the copy tests, so a copied byte out of place shows.</summary>
internal static class TestBytes
{
    /// <summary><paramref name="length"/> pseudo-random bytes, the same for the same <paramref name="seed"/>.</summary>
    internal static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
