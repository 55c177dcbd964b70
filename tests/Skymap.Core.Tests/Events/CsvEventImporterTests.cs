using Skymap.Core.Coordinates;
using Skymap.Core.Events;

namespace Skymap.Core.Tests.Events;

public sealed class CsvEventImporterTests
{
    private static IReadOnlyList<SkymapEvent> ReadShared() => CsvEventImporter.ReadFiles(
        TestData.SharedFile("oscnext_genie_5events_pulses.csv"), TestData.SharedFile("oscnext_genie_5events_truth.csv"));

    [Fact]
    public void Reads_the_five_shared_events_in_truth_order()
    {
        var events = ReadShared();
        Assert.Equal(5, events.Count);
        Assert.Equal([2L, 30, 32, 56, 62], events.Select(e => e.Header.EventId));
        Assert.All(events, e =>
        {
            Assert.Equal(140000, e.Header.RunId);
            Assert.Equal("neutrino", e.Header.EventType);
            Assert.Equal(56783.915363512, e.Header.Mjd);
            Assert.False(e.Header.IsRealEvent);
            Assert.Equal("ic86", e.GeometryName);
            Assert.InRange(e.Pulses.Count, 9, 15);
        });

        // 56 pulse rows in all.
        Assert.Equal(56, events.Sum(e => e.Pulses.Count));
    }

    [Fact]
    public void First_event_matches_the_file_rows_and_the_builtin_event()
    {
        var first = ReadShared()[0];
        Assert.Equal(9, first.Pulses.Count);
        Assert.Equal(2156, first.Pulses.SensorId[0]);
        Assert.Equal(10574.0, first.Pulses.Time[0]);
        Assert.Equal(1.475, first.Pulses.Charge[0]);
        Assert.Equal(5093, first.Pulses.SensorId[8]);
        Assert.Equal(0.325, first.Pulses.Charge[8]);

        var builtin = BuiltinEvents.Get("oscnext-genie-0");
        Assert.Equal(builtin.Pulses.SensorId, first.Pulses.SensorId);
        Assert.Equal(builtin.Pulses.Time, first.Pulses.Time);
        Assert.Equal(builtin.Pulses.Charge, first.Pulses.Charge);
        Assert.Equal(builtin.Header, first.Header);
    }

    [Fact]
    public void Truth_carries_kind_direction_vertex_energy_and_the_earliest_pulse_time()
    {
        var events = ReadShared();
        var t = events[0].Truth!;
        Assert.Equal("track", t.Kind); // pid 14, CC
        Assert.Equal(2.786503, t.Zenith);
        Assert.Equal(0.752464, t.Azimuth);
        Assert.Equal(0.747, t.X);
        Assert.Equal(-87.658, t.Y);
        Assert.Equal(-480.864, t.Z);
        Assert.Equal(1.51008, t.Energy);
        Assert.Equal(9867.0, t.Time); // earliest of the nine pulses
        Assert.Equal("track", events[2].Truth!.Kind); // pid −14 (anti-ν_μ), CC

        foreach (var e in events)
        {
            var truth = e.Truth!;
            Assert.Equal(e.Pulses.Time.Min(), truth.Time);
            var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(truth.Ra, truth.Dec, e.Header.Mjd);
            Assert.Equal(truth.Zenith, zenith, 1e-9);
            Assert.Equal(truth.Azimuth, azimuth, 1e-9);
        }
    }

    [Fact]
    public void Non_muon_neutrino_or_neutral_current_is_a_cascade()
    {
        const string pulses = "event_no,sensor_id,time_ns,charge_pe\n0,10,100.0,1.0\n1,11,200.0,2.0\n2,12,300.0,0.5\n";
        const string truth = "event_no,run_id,event_id,pid,interaction_type,energy_gev,zenith_rad,azimuth_rad,vertex_x,vertex_y,vertex_z,mjd\n"
            + "0,1,1,12,1,10,1,1,0,0,0,60000\n"
            + "1,1,2,14,2,10,1,1,0,0,0,60000\n"
            + "2,1,3,-14,1,10,1,1,0,0,0,60000\n";
        var events = CsvEventImporter.Read(new StringReader(pulses), new StringReader(truth), "test");
        Assert.Equal(["cascade", "cascade", "track"], events.Select(e => e.Truth!.Kind));
        Assert.All(events, e => Assert.Equal("test", e.Header.EventType));
    }

    [Fact]
    public void Imported_events_survive_the_event_file_round_trip()
    {
        foreach (var e in ReadShared())
        {
            var back = SkymapEventSerializer.Parse(SkymapEventSerializer.Serialize(e));
            Assert.Equal(e.Header, back.Header);
            Assert.Equal(e.Truth, back.Truth);
            Assert.Equal(e.Pulses.Time, back.Pulses.Time);
        }
    }

    [Theory]
    [InlineData("event_no,sensor_id,time_ns\n0,1,2\n", "missing column(s) charge_pe")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n0,5160,1,1\n", "line 2, column 'sensor_id'")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n0,1,1,0\n", "column 'charge_pe': must be > 0")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n0,1,abc,1\n", "column 'time_ns': must be a finite number")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n0,1,NaN,1\n", "column 'time_ns'")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n0,1\n", "column 'time_ns': expected at least")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n0,1,1,1\n1,1,1,1\n", "event_no 1 has no row in the truth CSV")]
    [InlineData("event_no,sensor_id,time_ns,charge_pe\n5,1,1,1\n", "event 0 has no pulses")]
    public void Malformed_input_is_a_clear_error(string pulses, string expectedMessagePart)
    {
        const string truth = "event_no,run_id,event_id,pid,interaction_type,energy_gev,zenith_rad,azimuth_rad,vertex_x,vertex_y,vertex_z,mjd\n"
            + "0,1,1,14,1,10,1,1,0,0,0,60000\n";
        var e = Assert.Throws<EventFormatException>(() => CsvEventImporter.Read(new StringReader(pulses), new StringReader(truth)));
        Assert.Contains(expectedMessagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<EventFormatException>(() => CsvEventImporter.ReadFiles("/nonexistent/pulses.csv", "/nonexistent/truth.csv"));
        Assert.Contains("cannot read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_carries_the_reference_data_it_reads()
    {
        foreach (var name in new[] { "oscnext_genie_5events_pulses.csv", "oscnext_genie_5events_truth.csv",
                     "skymap_reference_GOLD_run136766_evt7637140.csv", "skymap_reference_BRONZE_run136662_evt35405932.csv" })
        {
            Assert.True(File.Exists(TestData.SharedFile(name)), name);
        }

        Assert.StartsWith(TestData.RepositoryRoot(), TestData.SharedDataDir, StringComparison.Ordinal);
    }
}
