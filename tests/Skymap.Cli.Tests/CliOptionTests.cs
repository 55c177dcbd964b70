using Skymap.Core.Likelihood;

namespace Skymap.Cli.Tests;

/// <summary>What a new user meets first: bad option values, <c>--kernel</c>, error messages.</summary>
public class CliOptionTests
{
    private const string Event = "builtin:oscnext-genie-0";

    [Theory]
    [InlineData("--seed", "-1", "'-1' is not a whole number ≥ 0")]
    [InlineData("--seed", "x", "'x' is not a whole number ≥ 0")]
    [InlineData("--workers", "0", "must be ≥ 1, got 0")]
    [InlineData("--workers", "abc", "'abc' is not a whole number")]
    [InlineData("--max-pixvar-failures", "0", "must be ≥ 1, got 0")]
    [InlineData("--predictive-scanning-threshold", "abc", "'abc' is not a number")]
    [InlineData("--predictive-scanning-threshold", "1.5", "must be in [0.1, 1.0], got 1.5")]
    [InlineData("--task-timeout", "-3", "must be a positive number of seconds, got -3")]
    [InlineData("--neighbour-refine-2dllh", "0", "must be > 0, got 0")]
    [InlineData("--kernel", "bogus", "'bogus' is not one of auto, scalar, simd")]
    public void Bad_option_value_is_one_error_line_naming_the_option_and_exit_2(string option, string value, string says)
    {
        var dir = CliProcess.TempDir();
        var r = CliProcess.Run("scan", "--event", Event, "--reco", "pandel_mpe", "--nsides", "1:0", "--output-dir", dir, option, value);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"skymap: error: {option}: ", line, StringComparison.Ordinal);
        Assert.Contains(says, line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Other_commands_report_bad_values_the_same_way()
    {
        var worker = CliProcess.Run("worker", "--stdio", "--concurrency", "many");
        Assert.Equal(2, worker.ExitCode);
        Assert.Equal("skymap: error: --concurrency: 'many' is not a whole number (see 'skymap worker --help')", worker.Stderr.Trim());

        var unknown = CliProcess.Run("scan", "--bogus");
        Assert.Equal(2, unknown.ExitCode);
        var line = Assert.Single(unknown.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("'--bogus'", line, StringComparison.Ordinal);
        Assert.Contains("--event", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_still_works_and_kernel_help_lists_every_kernel()
    {
        Assert.Equal(Enum.GetValues<KernelKind>().Length, CliOptions.KernelValues.Count);
        Assert.Equal(Enum.GetValues<KernelKind>(), CliOptions.KernelValues.Select(LikelihoodKernels.Parse).ToArray());
        foreach (var command in new[] { "scan", "llh" })
        {
            var help = CliProcess.Run(command, "--help");
            Assert.Equal(0, help.ExitCode);
            var kernelLine = help.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--kernel", StringComparison.Ordinal));
            foreach (var value in CliOptions.KernelValues)
            {
                Assert.Contains(value, kernelLine, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Kernel_given_to_a_reco_without_kernels_is_an_error_naming_the_recos_that_have_them()
    {
        var dir = CliProcess.TempDir();
        var r = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--kernel", "scalar", "--nsides", "1:0", "--output-dir", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            "skymap: error: --kernel: reco 'dummy' has no likelihood kernel (--kernel applies to millipede, pandel_mpe, pandel_spe)",
            r.Stderr.Trim());
        Assert.Empty(Directory.GetFiles(dir));

        var ok = CliProcess.Run("scan", "--event", Event, "--reco", "pandel_mpe", "--kernel", "scalar", "--nsides", "1:0", "--seed", "1", "--output-dir", dir);
        Assert.True(ok.ExitCode == 0, ok.Stderr);
    }

    [Theory]
    [InlineData("sleep=-1", "reco setting 'sleep' must be ≥ 0 seconds, got -1")]
    [InlineData("nope=1", "reco 'dummy' has no setting 'nope' (known: sleep)")]
    public void Setting_errors_have_no_parameter_suffix(string setting, string says)
    {
        var r = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--reco-setting", setting, "--nsides", "1:0", "--output-dir", CliProcess.TempDir());
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"skymap: error: --reco-setting: {says}", r.Stderr.Trim());
    }

    [Fact]
    public void A_bad_kernel_setting_names_the_value_without_parameter_suffixes()
    {
        var r = CliProcess.Run("scan", "--event", Event, "--reco", "pandel_mpe", "--reco-setting", "kernel=bogus", "--nsides", "1:0", "--output-dir", CliProcess.TempDir());
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("skymap: error: --reco-setting: reco setting 'kernel': ", line, StringComparison.Ordinal);
        Assert.Contains("'bogus'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_message_drops_every_parameter_suffix()
    {
        var inner = new ArgumentException("kernel must be auto or simd", "value");
        var outer = new ArgumentException($"reco setting 'kernel': {inner.Message}", "context", inner);
        Assert.Equal("reco setting 'kernel': kernel must be auto or simd", CliRunner.CleanMessage(outer));
    }
}
