namespace HdrUp.Training.Train;

/// <summary>
/// The data sampler's random generator: xoshiro256** (Blackman &amp; Vigna 2018) seeded through SplitMix64.
/// Its own implementation (not System.Random) so the stream is fixed across .NET versions and its whole state
/// is four integers that a checkpoint can store.
/// </summary>
public sealed class DataRng
{
    private ulong s0, s1, s2, s3;

    /// <summary>Seeds from any number of integers (seed, epoch, batch index…), mixed by SplitMix64.</summary>
    public DataRng(params long[] seed)
    {
        ulong x = 0x9E3779B97F4A7C15UL;
        foreach (long v in seed) x = SplitMix(ref x) ^ (ulong)v;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
        if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
    }

    /// <summary>Restores a state returned by <see cref="State"/>.</summary>
    public DataRng(ulong[] state)
    {
        if (state is not { Length: 4 } || (state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("A xoshiro256 state is four integers, not all zero.", nameof(state));
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>The full generator state.</summary>
    public ulong[] State => [s0, s1, s2, s3];

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = RotL(s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>) without modulo bias (Lemire's method).</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "Must be positive.");
        ulong range = (ulong)exclusiveMax;
        while (true)
        {
            UInt128 m = (UInt128)NextUInt64() * range;
            ulong low = (ulong)m;
            if (low >= range || low >= (0UL - range) % range) return (int)(m >> 64);
        }
    }

    /// <summary>A fair coin (Python's <c>random.random() &lt; 0.5</c> in the official loader).</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>Fisher–Yates shuffle of 0…n−1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
