using Skymap.Core.Likelihood.Internal;
using Xunit.Abstractions;

namespace Skymap.Core.Tests.Likelihood;

public class VectorExpLogTests(ITestOutputHelper output)
{
    private const double MaxRelativeError = 6.7e-16; // three ulps at 1 (2^-52 ≈ 2.2e-16); measured: exp 4.7e-16, log 5.6e-17

    [Theory]
    [MemberData(nameof(PandelKernelTests.LaneCounts), MemberType = typeof(PandelKernelTests))]
    public void Exp_is_within_three_ulps_of_Math_Exp(int lanes)
    {
        var rng = new Random(3);
        var xs = Enumerable.Range(0, 40_000).Select(i => i % 2 == 0 ? (rng.NextDouble() * 1416) - 708 : (rng.NextDouble() * 2) - 1)
            .Concat([0.0, -0.0, 1.0, -1.0, 708.0, -708.0, 0.5 * Math.Log(2), -0.5 * Math.Log(2), 1e-300, -1e-300]).ToArray();
        var worst = Worst(lanes, xs, Math.Exp, exp: true);
        output.WriteLine($"{lanes} lanes: worst relative error of exp {worst:E2}");
        Assert.InRange(worst, 0, MaxRelativeError);
    }

    [Theory]
    [MemberData(nameof(PandelKernelTests.LaneCounts), MemberType = typeof(PandelKernelTests))]
    public void Log_is_within_three_ulps_of_Math_Log(int lanes)
    {
        var rng = new Random(4);
        var xs = Enumerable.Range(0, 40_000).Select(i => i % 2 == 0 ? Math.Exp((rng.NextDouble() * 1380) - 690) : 1 + ((rng.NextDouble() - 0.5) * 0.6))
            .Concat([1.0, 2.0, 0.5, Math.Sqrt(2), Math.Sqrt(0.5), 2.2250738585072014e-308, double.MaxValue, 1e-300, 1 + 1e-15, 1 - 1e-16]).ToArray();
        var worst = Worst(lanes, xs, Math.Log, exp: false);
        output.WriteLine($"{lanes} lanes: worst error of log {worst:E2} (relative, absolute near 1)");
        Assert.InRange(worst, 0, MaxRelativeError);
    }

    [Theory]
    [MemberData(nameof(PandelKernelTests.LaneCounts), MemberType = typeof(PandelKernelTests))]
    public void Special_values_follow_the_BCL(int lanes)
    {
        double[] expCases = [double.NegativeInfinity, double.PositiveInfinity, double.NaN, 710, 800, -710, -745, -800, 709.7];
        double[] logCases = [0.0, -0.0, -1.0, double.NegativeInfinity, double.PositiveInfinity, double.NaN, 4.9e-324, 1e-310, 2.2e-308];
        foreach (var x in expCases)
        {
            // The special lane shares its vector with ordinary lanes, which must stay exact too.
            var got = Eval(lanes, x, exp: true);
            AssertClose(Math.Exp(x), got[0]);
            AssertClose(Math.Exp(0.25), got[1]);
        }

        foreach (var x in logCases)
        {
            var got = Eval(lanes, x, exp: false);
            AssertClose(Math.Log(x), got[0]);
            AssertClose(Math.Log(3.0), got[1]);
        }
    }

    private static void AssertClose(double want, double got)
    {
        if (double.IsFinite(want))
        {
            Assert.Equal(want, got, Math.Abs(want) * 1e-15);
        }
        else
        {
            Assert.Equal(want, got); // ±∞ and NaN exactly
        }
    }

    private static double Worst(int lanes, double[] xs, Func<double, double> reference, bool exp)
    {
        var worst = 0.0;
        foreach (var x in xs)
        {
            var got = Eval(lanes, x, exp)[0];
            var want = reference(x);
            var error = Math.Abs(got - want) / Math.Max(Math.Abs(want), exp ? double.Epsilon : 1.0);
            worst = Math.Max(worst, error);
        }

        return worst;
    }

    /// <summary>exp or log of a vector whose lane 0 is x and the others ordinary (0.25 for exp, 3 for log).</summary>
    private static double[] Eval(int lanes, double x, bool exp)
    {
        var input = new double[lanes];
        Array.Fill(input, exp ? 0.25 : 3.0);
        input[0] = x;
        var result = new double[lanes];
        switch (lanes)
        {
            case 8:
                V512.Store(exp ? SimdMath.Exp(V512.Load(ref input[0])) : SimdMath.Log(V512.Load(ref input[0])), ref result[0]);
                break;
            case 4:
                V256.Store(exp ? SimdMath.Exp(V256.Load(ref input[0])) : SimdMath.Log(V256.Load(ref input[0])), ref result[0]);
                break;
            default:
                V128.Store(exp ? SimdMath.Exp(V128.Load(ref input[0])) : SimdMath.Log(V128.Load(ref input[0])), ref result[0]);
                break;
        }

        return result;
    }
}
