using Skymap.Core.Events;

namespace Skymap.Core.Tests.Events;

// Regression: the "geometry" field used to be looked up as a property of its own string value, so every event file
// with a "geometry" key (all that Serialize writes) failed to parse with an InvalidOperationException.
public sealed class SkymapEventSerializerGeometryFieldTests
{
    private const string Template = """
        { "format": "skymap-event/1", "run_id": 1, "event_id": 2, "event_type": "t", "mjd": 60000.5, GEOMETRY
          "pulses": { "sensor_id": [1], "time": [10.0], "charge": [1.0] } }
        """;

    [Fact]
    public void Geometry_field_ic86_parses()
    {
        var e = SkymapEventSerializer.Parse(Template.Replace("GEOMETRY", "\"geometry\": \"ic86\",", StringComparison.Ordinal));
        Assert.Equal("ic86", e.GeometryName);
    }

    [Fact]
    public void Missing_geometry_field_defaults_to_ic86()
    {
        var e = SkymapEventSerializer.Parse(Template.Replace("GEOMETRY", string.Empty, StringComparison.Ordinal));
        Assert.Equal("ic86", e.GeometryName);
    }

    [Theory]
    [InlineData("\"geometry\": 5,", "field 'geometry' must be a string")]
    [InlineData("\"geometry\": \"ic40\",", "unknown geometry")]
    public void Bad_geometry_field_is_a_format_error(string field, string message)
    {
        var e = Assert.Throws<EventFormatException>(() => SkymapEventSerializer.Parse(Template.Replace("GEOMETRY", field, StringComparison.Ordinal)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialized_events_parse_back()
    {
        var e = BuiltinEvents.Get("oscnext-genie-0");
        var back = SkymapEventSerializer.Parse(SkymapEventSerializer.Serialize(e));
        Assert.Equal(e.Header, back.Header);
        Assert.Equal(e.Pulses.SensorId, back.Pulses.SensorId);
    }
}
