namespace Skymap.Core.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast, reproducible 64-bit generator. Used for the per-scan
/// shuffle stream (SCANNER.md §6) and for deterministic per-task draws of the test recos.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    /// <summary>Creates a stream from a seed.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64-bit value.</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 output function (a strong 64-bit mixer).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A deterministic hash of several values, for per-task random draws.</summary>
    public static ulong Hash(ulong a, ulong b, ulong c = 0, ulong d = 0, ulong e = 0)
    {
        var h = Mix(a + 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (b + 0x632BE59BD9B4E019UL));
        h = Mix(h ^ (c + 0x8CB92BA72F3D8DD7UL));
        h = Mix(h ^ (d + 0xD6E8FEB86659FD93UL));
        return Mix(h ^ (e + 0xA0761D6478BD642FUL));
    }

    /// <summary>A uniform double in [0, 1) from a hash value.</summary>
    public static double ToUnit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));
}
