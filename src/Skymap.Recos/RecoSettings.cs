using System.Globalization;
using Skymap.Core.Events;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>The settings the physics recos share: <c>time_window</c> (ns, optional) and <c>kernel</c> (auto|scalar|simd|ilgpu|ilgpu-cpu).</summary>
internal static class RecoSettings
{
    public const string TimeWindowKey = "time_window";
    public const string KernelKey = "kernel";

    private static readonly string[] Known = [TimeWindowKey, KernelKey];

    /// <summary>Checks that every key is known and every value parses.</summary>
    /// <exception cref="ArgumentException">Unknown key or bad value; the message names the key.</exception>
    public static void Validate(string reco, RecoContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var key in context.Settings.Keys)
        {
            if (!Known.Contains(key, StringComparer.Ordinal))
            {
                throw new ArgumentException($"unknown reco setting '{key}' for {reco} (known: {string.Join(", ", Known)})");
            }
        }

        _ = PreparationOptions(context);
        _ = Kernel(context);
    }

    /// <summary>Event preparation options from <c>time_window</c>.</summary>
    public static EventPreparationOptions PreparationOptions(RecoContext context)
    {
        if (!context.Settings.TryGetValue(TimeWindowKey, out var s))
        {
            return new EventPreparationOptions();
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || !(w > 0) || !double.IsFinite(w))
        {
            throw new ArgumentException($"reco setting '{TimeWindowKey}' must be a positive number of ns, got '{s}'");
        }

        return new EventPreparationOptions { TimeWindow = w };
    }

    /// <summary>The kernel kind from <c>kernel</c> (default auto).</summary>
    public static KernelKind Kernel(RecoContext context)
    {
        if (!context.Settings.TryGetValue(KernelKey, out var s))
        {
            return KernelKind.Auto;
        }

        try
        {
            return LikelihoodKernels.Parse(s);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"reco setting '{KernelKey}': {e.Message}", e);
        }
    }
}
