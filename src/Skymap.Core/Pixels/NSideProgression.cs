using System.Globalization;
using System.Text;

namespace Skymap.Core.Pixels;

/// <summary>
/// The nside progression of a scan (upstream <c>NSideProgression</c>, SCANNER.md §3): pairs (nside, N) where N is the
/// approximate number of coarser pixels refined into that nside; the first N is a placeholder 0.
/// </summary>
public sealed class NSideProgression : IEquatable<NSideProgression>
{
    /// <summary>The default progression text.</summary>
    public const string DefaultText = "8:0 64:12 512:24";

    private readonly (int Nside, int Ext)[] _steps;

    private NSideProgression((int Nside, int Ext)[] steps) => _steps = steps;

    /// <summary>The default progression <c>8:0 64:12 512:24</c>.</summary>
    public static NSideProgression Default { get; } = Parse(DefaultText);

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<(int Nside, int Ext)> Steps => _steps;

    /// <summary>The nsides in order.</summary>
    public IReadOnlyList<int> Nsides => _steps.Select(s => s.Nside).ToArray();

    /// <summary>The first (full-sky) nside.</summary>
    public int MinNside => _steps[0].Nside;

    /// <summary>The last (finest) nside.</summary>
    public int MaxNside => _steps[^1].Nside;

    /// <summary>Number of nsides.</summary>
    public int Count => _steps.Length;

    /// <summary>Parses and validates a progression such as <c>"8:0 64:12 512:24"</c>.</summary>
    /// <exception cref="FormatException">The text violates a rule; the message names it.</exception>
    public static NSideProgression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            throw new FormatException("nside progression is empty (expected e.g. \"8:0 64:12 512:24\")");
        }

        var steps = new (int Nside, int Ext)[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            var parts = tokens[i].Split(':');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var nside)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ext))
            {
                throw new FormatException($"nside progression token '{tokens[i]}' is not of the form NSIDE:EXT with non-negative integers");
            }

            if (nside <= 0 || (nside & (nside - 1)) != 0 || nside > (1 << 29))
            {
                throw new FormatException($"nside {nside} in '{tokens[i]}' is not a power of two in [1, 2^29]");
            }

            if (i == 0 && ext != 0)
            {
                throw new FormatException($"the first token '{tokens[i]}' must have EXT 0 (the first nside is scanned full-sky)");
            }

            if (i > 0 && ext <= 0)
            {
                throw new FormatException($"token '{tokens[i]}' must have EXT > 0");
            }

            if (i > 0 && nside == steps[i - 1].Nside)
            {
                throw new FormatException($"nside {nside} appears twice");
            }

            if (i > 0 && nside < steps[i - 1].Nside)
            {
                throw new FormatException($"nsides must be strictly ascending as given: {nside} follows {steps[i - 1].Nside}");
            }

            steps[i] = (nside, ext);
        }

        return new NSideProgression(steps);
    }

    /// <summary>The index of an nside in the progression, or −1.</summary>
    public int IndexOf(int nside) => Array.FindIndex(_steps, s => s.Nside == nside);

    /// <summary>
    /// Estimated number of reconstructions of an nside (upstream <c>calc_estimated_total_nside_recos</c>): index 0 →
    /// M·12·n₀²; index k → int(M·EXT_k·(n_k/n_{k−1})²).
    /// </summary>
    public long EstimatedRecos(int index, int variations)
    {
        if (index == 0)
        {
            return (long)variations * 12L * _steps[0].Nside * _steps[0].Nside;
        }

        var ratio = (double)_steps[index].Nside / _steps[index - 1].Nside;
        return (long)(variations * _steps[index].Ext * ratio * ratio);
    }

    /// <summary>The progression in its textual form, e.g. <c>"8:0 64:12 512:24"</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (n, e) in _steps)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(CultureInfo.InvariantCulture, $"{n}:{e}");
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(NSideProgression? other) => other is not null && _steps.SequenceEqual(other._steps);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NSideProgression);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
