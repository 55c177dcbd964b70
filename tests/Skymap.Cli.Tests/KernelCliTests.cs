using System.Globalization;

namespace Skymap.Cli.Tests;

/// <summary><c>skymap devices</c> and <c>skymap bench kernels</c>.</summary>
public class KernelCliTests
{
    [Fact]
    public void Devices_lists_every_backend_and_what_auto_picks()
    {
        var (code, stdout, stderr) = CliProcess.Run("devices");
        Assert.True(code == 0, stderr);
        Assert.Contains("scalar", stdout, StringComparison.Ordinal);
        Assert.Contains("ilgpu-cpu", stdout, StringComparison.Ordinal);
        Assert.Matches("(?m)^  ilgpu +(unavailable: .+|\\d+ GPU device)", stdout);
        Assert.Matches("(?m)^auto: .+ for one-at-a-time fits; ", stdout);
    }

    [Fact]
    public void Bench_kernels_reports_positive_rates_for_the_backends_asked()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "kernels", "--seconds", "0.2", "--fits", "2", "--backends", "scalar,ilgpu-cpu");
        Assert.True(code == 0, stderr);
        foreach (var backend in new[] { "scalar", "ilgpu-cpu" })
        {
            var line = stdout.Split('\n').Single(l => l.StartsWith(backend + " ", StringComparison.Ordinal));
            var numbers = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
                .Where(double.IsFinite).ToArray();
            Assert.True(numbers.Length >= 2 && numbers.All(v => v > 0), line);
        }

        Assert.DoesNotContain("simd-", stdout, StringComparison.Ordinal);
        Assert.Contains("lockstep batch of 2", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_kernels_rejects_a_reco_without_a_pandel_llh()
    {
        var (code, _, stderr) = CliProcess.Run("bench", "kernels", "--reco", "millipede");
        Assert.Equal(2, code);
        Assert.Equal("skymap: error: --reco must be pandel_mpe or pandel_spe, got 'millipede'", stderr.Trim());
    }
}
