using System.Globalization;
using Skymap.Core.Coordinates;

namespace Skymap.Core.Events;

/// <summary>
/// Imports events from the pulses/truth CSV layout of <c>data/oscnext_genie_5events_*.csv</c> (graphnet's
/// oscNext test frames): one pulse per row keyed by <c>event_no</c>, one truth row per event.
/// </summary>
/// <remarks>
/// Columns are found by name. Truth: kind <c>track</c> for ν_μ charged-current (|pid| = 14 and interaction_type = 1),
/// <c>cascade</c> otherwise; zenith/azimuth as in the CSV (the direction the neutrino came from); RA/Dec by
/// <see cref="SkyCoordinates.LocalToEquatorial"/> at the event MJD; vertex from <c>vertex_x/y/z</c>; energy =
/// <c>energy_gev</c> (the neutrino energy). The CSV has no interaction time, so the truth time is the earliest pulse
/// time of the event (an approximation, usually a few hundred ns late). Events come out in the order of the truth file;
/// pulses keep their file order.
/// </remarks>
internal static class CsvEventImporter
{
    /// <summary>The event type given to imported events.</summary>
    public const string DefaultEventType = "neutrino";

    /// <summary>Reads a pulses CSV and a truth CSV.</summary>
    /// <exception cref="EventFormatException">A file is unreadable, a column is missing, a value is malformed or invalid.</exception>
    public static IReadOnlyList<SkymapEvent> ReadFiles(string pulsesPath, string truthPath, string eventType = DefaultEventType)
    {
        ArgumentNullException.ThrowIfNull(pulsesPath);
        ArgumentNullException.ThrowIfNull(truthPath);
        try
        {
            using var pulses = new StreamReader(pulsesPath);
            using var truth = new StreamReader(truthPath);
            return Read(pulses, truth, eventType);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EventFormatException($"cannot read CSV event files '{pulsesPath}', '{truthPath}': {e.Message}", e);
        }
    }

    /// <summary>Reads the pulses and truth CSV texts.</summary>
    /// <exception cref="EventFormatException">A column is missing, a value is malformed or invalid, or an event has no pulses.</exception>
    public static IReadOnlyList<SkymapEvent> Read(TextReader pulses, TextReader truth, string eventType = DefaultEventType)
    {
        ArgumentNullException.ThrowIfNull(pulses);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        var geometry = DetectorGeometry.IC86;

        var byEvent = new Dictionary<long, (List<int> Ids, List<double> Times, List<double> Charges)>();
        var pulseTable = new CsvTable(pulses, "pulses", ["event_no", "sensor_id", "time_ns", "charge_pe"]);
        while (pulseTable.Next())
        {
            var eventNo = pulseTable.Long("event_no");
            var id = pulseTable.Long("sensor_id");
            if (id < 0 || id >= geometry.Count)
            {
                throw pulseTable.Error("sensor_id", $"must be in [0, {geometry.Count - 1}], got {id}");
            }

            var time = pulseTable.Finite("time_ns");
            var charge = pulseTable.Finite("charge_pe");
            if (!(charge > 0))
            {
                throw pulseTable.Error("charge_pe", $"must be > 0, got {charge.ToString("R", CultureInfo.InvariantCulture)}");
            }

            if (!byEvent.TryGetValue(eventNo, out var list))
            {
                list = ([], [], []);
                byEvent[eventNo] = list;
            }

            list.Ids.Add((int)id);
            list.Times.Add(time);
            list.Charges.Add(charge);
        }

        var events = new List<SkymapEvent>();
        var truthTable = new CsvTable(
            truth,
            "truth",
            ["event_no", "run_id", "event_id", "pid", "interaction_type", "energy_gev", "zenith_rad", "azimuth_rad", "vertex_x", "vertex_y", "vertex_z", "mjd"]);
        while (truthTable.Next())
        {
            var eventNo = truthTable.Long("event_no");
            if (!byEvent.Remove(eventNo, out var p))
            {
                throw truthTable.Error("event_no", $"event {eventNo} has no pulses");
            }

            var runId = truthTable.Long("run_id");
            var eventId = truthTable.Long("event_id");
            if (runId < 0)
            {
                throw truthTable.Error("run_id", $"must be ≥ 0, got {runId}");
            }

            if (eventId < 0)
            {
                throw truthTable.Error("event_id", $"must be ≥ 0, got {eventId}");
            }

            var pid = truthTable.Long("pid");
            var interaction = truthTable.Long("interaction_type");
            var zenith = truthTable.Finite("zenith_rad");
            var azimuth = truthTable.Finite("azimuth_rad");
            var mjd = truthTable.Finite("mjd");
            var sky = SkyCoordinates.LocalToEquatorial(zenith, azimuth, mjd);
            events.Add(new SkymapEvent
            {
                Header = new EventHeader(runId, eventId, eventType, mjd, IsRealEvent: false),
                GeometryName = geometry.Name,
                Pulses = new PulseSeries([.. p.Ids], [.. p.Times], [.. p.Charges]),
                Truth = new EventTruth(
                    Math.Abs(pid) == 14 && interaction == 1 ? "track" : "cascade",
                    zenith,
                    azimuth,
                    sky.Ra,
                    sky.Dec,
                    truthTable.Finite("vertex_x"),
                    truthTable.Finite("vertex_y"),
                    truthTable.Finite("vertex_z"),
                    p.Times.Min(),
                    truthTable.Finite("energy_gev")),
            });
        }

        if (byEvent.Count > 0)
        {
            throw new EventFormatException($"pulses CSV: event_no {byEvent.Keys.Min()} has no row in the truth CSV");
        }

        return events;
    }

    /// <summary>A forward-only reader of a comma-separated table with a header line (no quoting).</summary>
    private sealed class CsvTable
    {
        private readonly TextReader _reader;
        private readonly string _name;
        private readonly Dictionary<string, int> _columns;
        private string[] _fields = [];
        private int _line = 1;

        public CsvTable(TextReader reader, string name, IReadOnlyList<string> required)
        {
            _reader = reader;
            _name = name;
            var header = reader.ReadLine() ?? throw new EventFormatException($"{name} CSV is empty");
            _columns = header.Split(',').Select((c, i) => (c.Trim(), i))
                .GroupBy(x => x.Item1, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
            var missing = required.Where(c => !_columns.ContainsKey(c)).ToArray();
            if (missing.Length > 0)
            {
                throw new EventFormatException($"{name} CSV: missing column(s) {string.Join(", ", missing)}");
            }
        }

        public bool Next()
        {
            while (_reader.ReadLine() is { } line)
            {
                _line++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                _fields = line.Split(',');
                return true;
            }

            return false;
        }

        public long Long(string column) =>
            long.TryParse(Field(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Error(column, $"must be an integer, got '{Field(column)}'");

        public double Finite(string column) =>
            double.TryParse(Field(column), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v
                : throw Error(column, $"must be a finite number, got '{Field(column)}'");

        public EventFormatException Error(string column, string message) =>
            new($"{_name} CSV line {_line}, column '{column}': {message}");

        private string Field(string column)
        {
            var i = _columns[column];
            return i < _fields.Length
                ? _fields[i].Trim()
                : throw Error(column, $"expected at least {i + 1} fields, got {_fields.Length}");
        }
    }
}
