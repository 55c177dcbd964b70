using System.CommandLine;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;

namespace Skymap.Cli;

/// <summary>Option helpers shared by the commands: value checks that fail at parse time, the <c>--kernel</c> values.</summary>
internal static class CliOptions
{
    /// <summary>
    /// Adds a check on the option's value: a value given on the command line that fails it is a parse error
    /// (<c>skymap: error: --NAME: must be REQUIREMENT, got VALUE</c>, exit 2). Defaults are not checked.
    /// </summary>
    public static Option<T> Must<T>(this Option<T> option, Func<T, bool> ok, string requirement)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0)
            {
                return;
            }

            T? value;
            try
            {
                value = r.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // not convertible: reported as a conversion error
            }

            if (!ok(value!))
            {
                r.AddError($"{option.Name}: must be {requirement}, got {r.Tokens[^1].Value}");
            }
        });
        return option;
    }

    /// <summary>A positive, finite number of seconds.</summary>
    public static Option<double> PositiveSeconds(this Option<double> option) =>
        option.Must(s => s > 0 && double.IsFinite(s), "a positive number of seconds");

    /// <summary>Every value <c>--kernel</c> accepts, in <see cref="KernelKind"/> order (lower case, as the parser reads them).</summary>
    public static IReadOnlyList<string> KernelValues { get; } = Enum.GetValues<KernelKind>().Select(KernelName).ToArray();

    /// <summary>The <c>--kernel</c> option: its help lists every value and only those are accepted.</summary>
    public static Option<string?> KernelOption(string purpose)
    {
        var option = new Option<string?>("--kernel")
        {
            Description = $"{purpose}: {string.Join(" | ", KernelValues)} (default auto)",
            HelpName = string.Join('|', KernelValues),
        };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !KernelValues.Contains(r.Tokens[^1].Value, StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"--kernel: '{r.Tokens[^1].Value}' is not one of {string.Join(", ", KernelValues)}");
            }
        });
        return option;
    }

    /// <summary>
    /// Whether a reco takes a likelihood kernel (it accepts the <c>kernel</c> setting). A plug-in reco qualifies the same way.
    /// </summary>
    public static bool HasKernels(IRecoAlgorithm reco)
    {
        try
        {
            reco.ValidateSettings(new RecoContext { Settings = new Dictionary<string, string> { ["kernel"] = "auto" } });
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // The parser's spelling of a kind: its name in lower case, or kebab case (IlgpuCpu → ilgpu-cpu) when that is what parses.
    private static string KernelName(KernelKind kind)
    {
        var lower = kind.ToString().ToLowerInvariant();
        var kebab = string.Concat(kind.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"-{char.ToLowerInvariant(c)}" : $"{char.ToLowerInvariant(c)}"));
        foreach (var candidate in new[] { lower, kebab })
        {
            try
            {
                if (LikelihoodKernels.Parse(candidate) == kind)
                {
                    return candidate;
                }
            }
            catch (ArgumentException)
            {
            }
        }

        return lower;
    }
}
