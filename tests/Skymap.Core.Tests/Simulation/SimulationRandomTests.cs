using Skymap.Core.Simulation;

namespace Skymap.Core.Tests.Simulation;

public sealed class SimulationRandomTests
{
    [Theory]
    // Golden values of xoshiro256** seeded by SplitMix64, computed with an independent Python implementation of the
    // published reference algorithms (seed 0 also matches rand_xoshiro's Xoshiro256StarStar::seed_from_u64(0)).
    [InlineData(0UL, 0x99ec5f36cb75f2b4UL, 0xbf6e1f784956452aUL, 0x1a5f849d4933e6e0UL)]
    [InlineData(1UL, 0xb3f2af6d0fc710c5UL, 0x853b559647364ceaUL, 0x92f89756082a4514UL)]
    [InlineData(12345UL, 0xbe6a36374160d49bUL, 0x214aaa0637a688c6UL, 0xf69d16de9954d388UL)]
    public void Raw_output_matches_the_reference_algorithm(ulong seed, ulong first, ulong second, ulong third)
    {
        var rng = new SimulationRandom(seed);
        Assert.Equal(first, rng.NextUInt64());
        Assert.Equal(second, rng.NextUInt64());
        Assert.Equal(third, rng.NextUInt64());
    }

    [Fact]
    public void Same_seed_same_sequence_of_every_distribution()
    {
        static double[] Draw(ulong seed)
        {
            var r = new SimulationRandom(seed);
            var list = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                list.Add(r.NextDouble());
                list.Add(r.NextGaussian());
                list.Add(r.NextExponential());
                list.Add(r.NextGamma(0.3 + (i % 7), 0.004));
                list.Add(r.NextPoisson(i * 3.1));
            }

            return [.. list];
        }

        Assert.Equal(Draw(42), Draw(42));
        Assert.NotEqual(Draw(42), Draw(43));
    }

    [Fact]
    public void Uniform_is_in_unit_interval_with_the_right_moments()
    {
        var r = new SimulationRandom(7);
        var xs = Enumerable.Range(0, 200_000).Select(_ => r.NextDouble()).ToArray();
        Assert.All(xs, x => Assert.InRange(x, 0.0, Math.BitDecrement(1.0)));
        AssertMoments(xs, 0.5, 1.0 / 12.0);
        var open = new SimulationRandom(7);
        Assert.All(Enumerable.Range(0, 10_000).Select(_ => open.NextDoubleOpenZero()), x => Assert.InRange(x, double.Epsilon, 1.0));
    }

    [Fact]
    public void Gaussian_and_exponential_have_the_right_moments()
    {
        var r = new SimulationRandom(8);
        AssertMoments(Enumerable.Range(0, 200_000).Select(_ => r.NextGaussian()).ToArray(), 0.0, 1.0);
        AssertMoments(Enumerable.Range(0, 200_000).Select(_ => r.NextGaussian(1.0, 0.3)).ToArray(), 1.0, 0.09);
        var e = Enumerable.Range(0, 200_000).Select(_ => r.NextExponential()).ToArray();
        Assert.All(e, x => Assert.True(x >= 0));
        AssertMoments(e, 1.0, 1.0);
    }

    [Theory]
    [InlineData(0.001, 1.0)]
    [InlineData(0.0676, 0.0040517)] // the smallest Pandel shape (d_eff = 2.25 m) and the Pandel rate
    [InlineData(0.5, 2.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(3.7, 0.0040517)]
    [InlineData(25.0, 0.5)]
    public void Gamma_has_the_right_mean_and_variance(double shape, double rate)
    {
        var r = new SimulationRandom(9);
        var xs = Enumerable.Range(0, 200_000).Select(_ => r.NextGamma(shape, rate)).ToArray();
        Assert.All(xs, x => Assert.True(x >= 0 && double.IsFinite(x)));
        AssertMoments(xs, shape / rate, shape / (rate * rate));
    }

    [Theory]
    [InlineData(0.005)]
    [InlineData(0.7)]
    [InlineData(5.0)]
    [InlineData(9.999)]
    [InlineData(10.0)]
    [InlineData(37.5)]
    [InlineData(1000.0)]
    [InlineData(123456.0)]
    public void Poisson_has_the_right_mean_and_variance(double mean)
    {
        var r = new SimulationRandom(10);
        var xs = Enumerable.Range(0, 200_000).Select(_ => (double)r.NextPoisson(mean)).ToArray();
        Assert.All(xs, x => Assert.True(x >= 0 && x == Math.Floor(x)));
        AssertMoments(xs, mean, mean);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(15.0)]
    public void Poisson_frequencies_match_the_pmf(double mean)
    {
        // Both samplers (inversion below 10, PTRS above): Pearson χ² over the cells with expectation ≥ 20.
        const int n = 200_000;
        var r = new SimulationRandom(11);
        var counts = new Dictionary<long, int>();
        for (var i = 0; i < n; i++)
        {
            var k = r.NextPoisson(mean);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }

        var chi2 = 0.0;
        var cells = 0;
        for (var k = 0; k < 100; k++)
        {
            var expected = n * Math.Exp((k * Math.Log(mean)) - mean - SimulationRandom.LogFactorial(k));
            if (expected < 20)
            {
                continue;
            }

            var d = counts.GetValueOrDefault(k) - expected;
            chi2 += d * d / expected;
            cells++;
        }

        // χ² with ~cells dof: mean = cells, sd = sqrt(2·cells); allow 5 sd.
        Assert.True(chi2 < cells + (5 * Math.Sqrt(2.0 * cells)), $"χ² = {chi2} over {cells} cells");
    }

    [Fact]
    public void Log_factorial_is_exact_below_the_table_edge_and_continuous_above()
    {
        var sum = 0.0;
        for (var k = 1; k <= 200; k++)
        {
            sum += Math.Log(k);
            Assert.Equal(sum, SimulationRandom.LogFactorial(k), Math.Max(1e-12 * sum, 1e-14));
        }

        Assert.Equal(0.0, SimulationRandom.LogFactorial(0));
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-1.0, 1.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    public void Gamma_rejects_bad_parameters(double shape, double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationRandom(1).NextGamma(shape, rate));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Poisson_rejects_bad_means(double mean) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationRandom(1).NextPoisson(mean));

    private static void AssertMoments(double[] xs, double mean, double variance)
    {
        var n = xs.Length;
        var m = xs.Average();
        var v = xs.Select(x => (x - m) * (x - m)).Sum() / (n - 1);
        // Mean within 5 standard errors; variance within 5% (plenty for 2e5 samples of these distributions).
        Assert.True(Math.Abs(m - mean) < 5 * Math.Sqrt(variance / n), $"mean {m}, expected {mean}");
        Assert.True(Math.Abs(v - variance) < 0.05 * variance, $"variance {v}, expected {variance}");
    }
}
