using Skymap.Core.Fitting;

namespace Skymap.Core.Tests.Fitting;

public class NelderMeadTests
{
    private static double Rosenbrock(ReadOnlySpan<double> p) => (100 * Math.Pow(p[1] - (p[0] * p[0]), 2)) + Math.Pow(1 - p[0], 2);

    [Fact]
    public void Finds_the_rosenbrock_minimum()
    {
        var r = NelderMead.Minimize(Rosenbrock, [-1.2, 1.0], [0.1, 0.1], new NelderMeadOptions { Tolerance = 1e-14, MaxEvaluations = 5000 });
        Assert.True(r.Converged);
        Assert.Equal(1.0, r.Point[0], 1e-4);
        Assert.Equal(1.0, r.Point[1], 1e-4);
        Assert.True(r.Value < 1e-8);
    }

    [Fact]
    public void Finds_an_anisotropic_quadratic_minimum_within_the_spread_tolerance()
    {
        static double F(ReadOnlySpan<double> p) =>
            (0.01 * Math.Pow(p[0] - 30, 2)) + (0.02 * Math.Pow(p[1] + 12, 2)) + (0.5 * Math.Pow(p[2] - 7, 2)) + (0.005 * (p[0] - 30) * (p[1] + 12)) + 3.0;

        var r = NelderMead.Minimize(F, [0, 0, 0], [20, 20, 20]);
        Assert.True(r.Converged);
        Assert.True(r.Value - 3.0 < 1e-4, $"value {r.Value}");
        Assert.True(r.Evaluations < 400, $"{r.Evaluations} evaluations");
    }

    [Fact]
    public void Stops_at_the_evaluation_limit()
    {
        var r = NelderMead.Minimize(Rosenbrock, [-1.2, 1.0], [0.1, 0.1], new NelderMeadOptions { Tolerance = 0, MaxEvaluations = 37 });
        Assert.False(r.Converged);
        Assert.Equal(37, r.Evaluations);
    }

    [Fact]
    public void Is_deterministic_and_ask_tell_matches_minimize()
    {
        var a = NelderMead.Minimize(Rosenbrock, [-1.2, 1.0], [0.3, 0.2]);
        var b = NelderMead.Minimize(Rosenbrock, [-1.2, 1.0], [0.3, 0.2]);
        Assert.Equal(a.Point, b.Point);
        Assert.Equal(a.Evaluations, b.Evaluations);

        // Two fits in lockstep, as a batched evaluator would drive them.
        var fits = new[] { new NelderMead([-1.2, 1.0], [0.3, 0.2]), new NelderMead([2.0, 2.0], [0.5, 0.5]) };
        while (fits.Any(f => !f.IsFinished))
        {
            foreach (var f in fits.Where(f => !f.IsFinished))
            {
                f.Tell(Rosenbrock(f.Candidate));
            }
        }

        Assert.Equal(a.Point, fits[0].Result.Point);
        Assert.Equal(a.Value, fits[0].BestValue);
    }

    [Fact]
    public void Treats_nan_as_infinity()
    {
        var r = NelderMead.Minimize(p => p[0] < -1 ? double.NaN : (p[0] - 2) * (p[0] - 2), [0.0], [5.0]);
        Assert.True(r.Converged);
        Assert.Equal(2.0, r.Point[0], 0.02);
    }

    [Fact]
    public void Honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        Assert.Throws<OperationCanceledException>(() => NelderMead.Minimize(
            p =>
            {
                if (++calls == 10)
                {
                    cts.Cancel();
                }

                return Rosenbrock(p);
            },
            [-1.2, 1.0],
            [0.1, 0.1],
            new NelderMeadOptions { Tolerance = 0 },
            cts.Token));
        Assert.Equal(10, calls);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentException>(() => new NelderMead([1.0, 2.0], [1.0]));
        Assert.Throws<ArgumentException>(() => new NelderMead([1.0], [0.0]));
        var nm = new NelderMead([0.0], [1.0], new NelderMeadOptions { MaxEvaluations = 1 });
        nm.Tell(1);
        Assert.True(nm.IsFinished);
        Assert.Throws<InvalidOperationException>(() => nm.Tell(1));
    }
}
