using System.Globalization;
using System.Text;

namespace Skymap.Core.Results;

/// <summary>Paths of the two files written for a result.</summary>
/// <param name="Json">The <c>.json</c> file.</param>
/// <param name="Npz">The <c>.npz</c> file.</param>
public readonly record struct ResultFilePaths(string Json, string Npz);

/// <summary>File naming (FORMATS.md §4) and atomic writing of result files.</summary>
public static class ResultFiles
{
    /// <summary>
    /// The event name <c>run{run_id:08d}.evt{event_id:012d}.{event_type}</c> with Python's zero padding
    /// (a minus sign counts towards the width), e.g. <c>run00137501.evt000020453318.GOLD</c>.
    /// </summary>
    /// <param name="runId">Run id.</param>
    /// <param name="eventId">Event id.</param>
    /// <param name="eventType">Event type.</param>
    /// <returns>The name.</returns>
    public static string EventName(long runId, long eventId, string eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return $"run{PadPython(runId, 8)}.evt{PadPython(eventId, 12)}.{eventType}";
    }

    /// <summary>The file stem <c>{event name}_{nsides joined by "_"}</c> of a result (its first block's event).</summary>
    /// <param name="result">The result.</param>
    /// <returns>E.g. <c>run00136766.evt000007637140.neutrino_8_64_512</c>.</returns>
    public static string FileStem(SkyScanResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.EventName + "_" + string.Join("_", result.Nsides.Select(n => n.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Writes <c>{stem}.json</c> and <c>{stem}.npz</c> into a directory, each atomically: written to a
    /// temporary file in the same directory, flushed to disk, then moved over the target.
    /// </summary>
    /// <param name="result">The result (never empty: a result always has an nside block).</param>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <returns>The paths written.</returns>
    public static ResultFilePaths Write(SkyScanResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, FileStem(result));
        var json = stem + ".json";
        var npz = stem + ".npz";
        WriteAtomically(json, s => SkyScanResultJson.Write(result, s));
        WriteAtomically(npz, s => SkyScanResultNpz.Write(result, s));
        return new ResultFilePaths(json, npz);
    }

    /// <summary>Reads a result file, choosing the format by extension (<c>.json</c> or <c>.npz</c>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The extension is neither .json nor .npz.</exception>
    /// <exception cref="SkyScanResultFormatException">The file is not a valid result.</exception>
    public static SkyScanResult Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var extension = Path.GetExtension(path);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return SkyScanResultJson.ReadFile(path);
        }

        if (extension.Equals(".npz", StringComparison.OrdinalIgnoreCase))
        {
            return SkyScanResultNpz.ReadFile(path);
        }

        throw new ArgumentException($"Unsupported result file type '{extension}' (expected .json or .npz): {path}", nameof(path));
    }

    /// <summary>Writes a file via a temporary file in the same directory and a replacing move.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the content.</param>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // best effort: the temporary file is hidden and harmless
            }

            throw;
        }
    }

    private static string PadPython(long value, int width)
    {
        // Python's f"{v:0{width}d}": zero padding goes after the sign and the sign counts in the width.
        var digits = value < 0
            ? ((ulong)(-(value + 1)) + 1).ToString(CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(width + 1);
        if (value < 0)
        {
            sb.Append('-');
        }

        sb.Append('0', Math.Max(0, width - sb.Length - digits.Length)).Append(digits);
        return sb.ToString();
    }
}
