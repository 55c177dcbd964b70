namespace Skymap.Core.Simulation;

/// <summary>
/// The simulator's own pseudo-random generator: xoshiro256** seeded through SplitMix64, with the distributions the
/// simulator needs implemented here (PHYSICS.md §5). Owning the generator and the transforms means a seed gives the
/// same event on every machine and with every library version; only <see cref="Math.Log(double)"/>,
/// <see cref="Math.Exp"/> and <see cref="Math.Sqrt"/> are used by the transforms.
/// </summary>
/// <remarks>Not thread-safe; use one instance per simulated event.</remarks>
internal sealed class SimulationRandom
{
    private const double TwoPowMinus53 = 1.0 / 9007199254740992.0;
    private const int LogFactorialTableSize = 64;
    private static readonly double[] LogFactorialTable = BuildLogFactorialTable();

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareGaussian;
    private bool _hasSpareGaussian;

    /// <summary>Creates a generator whose 256-bit state is filled from <paramref name="seed"/> by SplitMix64.</summary>
    /// <param name="seed">Any 64-bit seed (0 included).</param>
    public SimulationRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The next 64 raw bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * TwoPowMinus53;

    /// <summary>A uniform double in (0, 1] (safe to take the logarithm of).</summary>
    public double NextDoubleOpenZero() => 1.0 - NextDouble();

    /// <summary>An Exponential(1) variate, <c>−ln U</c> with U uniform in (0, 1].</summary>
    public double NextExponential() => -Math.Log(NextDoubleOpenZero());

    /// <summary>A standard normal variate (Marsaglia's polar method; the second variate of each pair is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);

        var f = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = v * f;
        _hasSpareGaussian = true;
        return u * f;
    }

    /// <summary>A normal variate with the given mean and standard deviation.</summary>
    public double NextGaussian(double mean, double sigma) => mean + (sigma * NextGaussian());

    /// <summary>
    /// A Gamma(shape, rate) variate (density ∝ x^(shape−1) e^(−rate·x)), by Marsaglia and Tsang's method; for
    /// shape &lt; 1 the variate of shape + 1 is multiplied by U^(1/shape).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">shape or rate is not a positive finite number.</exception>
    public double NextGamma(double shape, double rate)
    {
        if (!(shape > 0) || !double.IsFinite(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "shape must be a positive finite number");
        }

        if (!(rate > 0) || !double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "rate must be a positive finite number");
        }

        if (shape < 1.0)
        {
            var g = StandardGamma(shape + 1.0);
            return g * Math.Exp(Math.Log(NextDoubleOpenZero()) / shape) / rate;
        }

        return StandardGamma(shape) / rate;
    }

    /// <summary>
    /// A Poisson(mean) variate: inversion by sequential search for mean &lt; 10, Hörmann's transformed rejection
    /// with squeeze (PTRS) above.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">mean is negative or not finite.</exception>
    public long NextPoisson(double mean)
    {
        if (!(mean >= 0) || !double.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "mean must be a finite number ≥ 0");
        }

        if (mean == 0)
        {
            return 0;
        }

        return mean < 10.0 ? PoissonInversion(mean) : PoissonPtrs(mean);
    }

    /// <summary>ln(k!) — exact sums of logarithms below 64, the Stirling series above.</summary>
    internal static double LogFactorial(long k)
    {
        if (k < LogFactorialTableSize)
        {
            return LogFactorialTable[k];
        }

        var n = (double)k;
        var inv = 1.0 / n;
        var inv2 = inv * inv;
        return (n * Math.Log(n)) - n + (0.5 * Math.Log(2.0 * Math.PI * n))
            + (inv * ((1.0 / 12.0) - (inv2 * ((1.0 / 360.0) - (inv2 / 1260.0)))));
    }

    private double StandardGamma(double shape)
    {
        var d = shape - (1.0 / 3.0);
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1.0 + (c * x);
            }
            while (v <= 0.0);

            v = v * v * v;
            var u = NextDoubleOpenZero();
            var x2 = x * x;
            if (u < 1.0 - (0.0331 * x2 * x2))
            {
                return d * v;
            }

            if (Math.Log(u) < (0.5 * x2) + (d * (1.0 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private long PoissonInversion(double mean)
    {
        var u = NextDouble();
        var p = Math.Exp(-mean);
        var cumulative = p;
        long k = 0;
        // The cap only matters if rounding leaves the cumulative sum short of u (probability ~1e-16).
        while (u > cumulative && k < 1000)
        {
            k++;
            p *= mean / k;
            cumulative += p;
        }

        return k;
    }

    private long PoissonPtrs(double mean)
    {
        var sqrtMean = Math.Sqrt(mean);
        var logMean = Math.Log(mean);
        var b = 0.931 + (2.53 * sqrtMean);
        var a = -0.059 + (0.02483 * b);
        var invAlpha = 1.1239 + (1.1328 / (b - 3.4));
        var vr = 0.9277 - (3.6224 / (b - 2.0));
        while (true)
        {
            var u = NextDouble() - 0.5;
            var v = NextDouble();
            var us = 0.5 - Math.Abs(u);
            var k = (long)Math.Floor((((2.0 * a / us) + b) * u) + mean + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return k;
            }

            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }

            if (Math.Log(v * invAlpha / ((a / (us * us)) + b)) <= -mean + (k * logMean) - LogFactorial(k))
            {
                return k;
            }
        }
    }

    private static double[] BuildLogFactorialTable()
    {
        var table = new double[LogFactorialTableSize];
        for (var k = 2; k < table.Length; k++)
        {
            table[k] = table[k - 1] + Math.Log(k);
        }

        return table;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
