using Skymap.Core.Events;

namespace Skymap.Core.Tests.Events;

public class EventReaderTests
{
    private const string Valid = """
        {"format": "skymap-event/1", "run_id": 136766, "event_id": 7637140, "event_type": "GOLD",
         "mjd": 59866.350123, "is_real_event": true, "geometry": "ic86",
         "pulses": {"sensor_id": [0, 5159, 42], "time": [10.5, 12.0, 9.0], "charge": [1.5, 0.25, 3.0]},
         "seed": {"x": 1.0, "y": 2.0, "z": 3.0, "time": 100.0}, "extra": 1}
        """;

    [Fact]
    public void A_valid_event_is_read_and_round_trips()
    {
        var e = SkymapEventSerializer.Parse(Valid);
        Assert.Equal(136766, e.Header.RunId);
        Assert.Equal("GOLD", e.Header.EventType);
        Assert.True(e.Header.IsRealEvent);
        Assert.Equal(3, e.Pulses.Count);
        Assert.Equal(100.0, e.Seed!.Time);
        var again = SkymapEventSerializer.Parse(SkymapEventSerializer.Serialize(e));
        Assert.Equal(e.Header, again.Header);
        Assert.Equal(e.Pulses.Time, again.Pulses.Time);
        Assert.Equal(e.Pulses.Charge, again.Pulses.Charge);
        Assert.Equal(e.Seed, again.Seed);
    }

    [Theory]
    [InlineData("\"format\": \"skymap-event/1\"", "\"format\": \"skymap-event/2\"", "'format'")]
    [InlineData("\"sensor_id\": [0, 5159, 42]", "\"sensor_id\": [0, 5160, 42]", "'pulses.sensor_id[1]'")]
    [InlineData("\"sensor_id\": [0, 5159, 42]", "\"sensor_id\": [0, 5159]", "equally long")]
    [InlineData("\"charge\": [1.5, 0.25, 3.0]", "\"charge\": [1.5, 0.0, 3.0]", "'pulses.charge[1]'")]
    [InlineData("\"charge\": [1.5, 0.25, 3.0]", "\"charge\": [1.5, -2, 3.0]", "'pulses.charge[1]'")]
    [InlineData("\"time\": [10.5, 12.0, 9.0]", "\"time\": [10.5, \"x\", 9.0]", "'pulses.time[1]'")]
    [InlineData("\"mjd\": 59866.350123", "\"mjd\": \"soon\"", "'mjd'")]
    [InlineData("\"run_id\": 136766", "\"run_id\": -1", "'run_id'")]
    [InlineData("\"run_id\": 136766", "\"run_id\": 1234", "real event")]
    [InlineData("\"event_id\": 7637140", "\"event_id\": -5", "'event_id'")]
    [InlineData("\"geometry\": \"ic86\"", "\"geometry\": \"ic40\"", "'geometry'")]
    [InlineData("\"sensor_id\": [0, 5159, 42], \"time\": [10.5, 12.0, 9.0], \"charge\": [1.5, 0.25, 3.0]", "\"sensor_id\": [], \"time\": [], \"charge\": []", "must not be empty")]
    [InlineData("\"seed\": {\"x\": 1.0,", "\"seed\": {\"x\": null,", "'seed.x'")]
    public void Each_validation_rule_names_the_field(string find, string replace, string fragment)
    {
        var text = Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Valid, text);
        var e = Assert.Throws<EventFormatException>(() => SkymapEventSerializer.Parse(text));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbled_json_is_reported_as_such()
    {
        var e = Assert.Throws<EventFormatException>(() => SkymapEventSerializer.Parse("{\"format\": "));
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var e = Assert.Throws<EventFormatException>(() => SkymapEventSerializer.ReadFile("/nonexistent/event.json"));
        Assert.Contains("/nonexistent/event.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Geometry_is_the_real_ic86_table()
    {
        var g = DetectorGeometry.IC86;
        Assert.Equal(5160, g.Count);
        Assert.Equal(77, g.Doms.Count(d => !d.Active));
        Assert.Equal(-256.14, g.Doms[0].Position.X);
        Assert.Equal(496.03, g.Doms[0].Position.Z);
        Assert.True(g.Doms[(79 - 1) * 60].IsDeepCore);
    }

    [Fact]
    public void Preparation_drops_inactive_doms_and_summarises_per_dom()
    {
        var g = DetectorGeometry.IC86;
        var dead = g.Doms.First(d => !d.Active).SensorId;
        var evt = new SkymapEvent
        {
            Header = new EventHeader(1, 2, "test", 60000, false),
            Pulses = new PulseSeries([10, 10, dead, 11], [105.0, 100.0, 50.0, 300.0], [1.0, 2.0, 5.0, 1.0]),
        };
        var prepared = EventPreparation.Prepare(evt);
        Assert.Equal(2, prepared.HitDoms.Count);
        Assert.Equal(100.0, prepared.HitDoms[0].T1);
        Assert.Equal(3.0, prepared.HitDoms[0].Charge);
        var expectedZ = ((3.0 * g.Doms[10].Position.Z) + g.Doms[11].Position.Z) / 4.0;
        Assert.Equal(expectedZ, prepared.SeedVertex.Z, 9);
    }

    [Fact]
    public void Builtin_events_are_listed_and_load()
    {
        Assert.Contains("oscnext-genie-0", BuiltinEvents.Names);
        var e = BuiltinEvents.Load("builtin:oscnext-genie-0");
        Assert.Equal(140000, e.Header.RunId);
        Assert.Throws<EventFormatException>(() => BuiltinEvents.Load("builtin:nope"));
    }
}
