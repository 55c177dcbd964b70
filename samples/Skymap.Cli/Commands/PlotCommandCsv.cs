using System.Globalization;
using System.Text.RegularExpressions;
using Skymap.Core.Results;

namespace Skymap.Cli.Commands;

/// <summary>
/// Reads the upstream reference CSV layout (<c>data/skymap_reference_*.csv</c>): a header
/// <c>nside,pixel_ring,llh,E_in,E_tot</c>, then one pixel per line. Run, event and type come from a file name
/// <c>…_{TYPE}_run{RUN}_evt{EVENT}.csv</c> (0 and "unknown" otherwise); the MJD is given separately.
/// </summary>
internal static partial class PlotCommandCsv
{
    public const string Header = "nside,pixel_ring,llh,E_in,E_tot";

    [GeneratedRegex(@"_(?<type>[A-Za-z0-9]+)_run(?<run>\d+)_evt(?<evt>\d+)$")]
    private static partial Regex NamePattern();

    /// <summary>Reads a reference CSV into a version-0 result.</summary>
    /// <exception cref="CliException">The file is not in the layout, with the line that is wrong.</exception>
    public static SkyScanResult Read(string path, double mjd)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var match = NamePattern().Match(name);
        long run = 0, evt = 0;
        var type = "unknown";
        if (match.Success)
        {
            run = long.Parse(match.Groups["run"].Value, CultureInfo.InvariantCulture);
            evt = long.Parse(match.Groups["evt"].Value, CultureInfo.InvariantCulture);
            type = match.Groups["type"].Value;
        }

        var rows = new SortedDictionary<long, List<ResultRow>>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line.Trim() != Header)
                {
                    throw new CliException($"{path}: line 1 must be the header '{Header}', got '{line}'");
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            if (f.Length != 5
                || !long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var nside)
                || !long.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pixel)
                || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var llh)
                || !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var eIn)
                || !double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var eTot))
            {
                throw new CliException($"{path}: line {lineNumber} is not 'nside,pixel_ring,llh,E_in,E_tot' numbers: '{line}'");
            }

            if (!rows.TryGetValue(nside, out var list))
            {
                rows[nside] = list = [];
            }

            list.Add(ResultRow.V0(pixel, llh, eIn, eTot));
        }

        if (rows.Count == 0)
        {
            throw new CliException($"{path}: no pixels");
        }

        try
        {
            return new SkyScanResult(rows.Select(kv => new SkyScanResultBlock(
                new ResultMetadata(kv.Key, true, run, evt, type, mjd, run is >= 100_000 and < 1_000_000, 0), kv.Value)));
        }
        catch (Exception e) when (e is ArgumentException or SkyScanResultFormatException)
        {
            throw new CliException($"{path}: {e.Message}");
        }
    }
}
