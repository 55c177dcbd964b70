using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

public class ResultFilesTests
{
    [Theory]
    [InlineData(137501L, 20453318L, "GOLD", "run00137501.evt000020453318.GOLD")]
    [InlineData(136766L, 7637140L, "neutrino", "run00136766.evt000007637140.neutrino")]
    [InlineData(0L, 0L, "", "run00000000.evt000000000000.")]
    [InlineData(123456789L, 1234567890123L, "X", "run123456789.evt1234567890123.X")]
    [InlineData(-1L, -42L, "sim", "run-0000001.evt-00000000042.sim")]
    public void Event_name_pads_like_Python(long run, long evt, string type, string expected) =>
        Assert.Equal(expected, ResultFiles.EventName(run, evt, type));

    [Fact]
    public void File_stem_joins_nsides()
    {
        var r = SkyScanResult.Create(136766, 7637140, "neutrino", 1, true, [(512, []), (8, []), (64, [])], true);
        Assert.Equal("run00136766.evt000007637140.neutrino_8_64_512", ResultFiles.FileStem(r));
    }

    [Fact]
    public void Write_puts_both_files_atomically_and_overwrites()
    {
        var dir = Directory.CreateTempSubdirectory("skymap-results-");
        try
        {
            var out1 = Path.Combine(dir.FullName, "out");
            var first = ResultTestData.Awkward(complete: false);
            var paths = ResultFiles.Write(first, out1);
            Assert.Equal(Path.Combine(out1, "run00137501.evt000020453318.GOLD_8_64.json"), paths.Json);
            Assert.Equal(Path.Combine(out1, "run00137501.evt000020453318.GOLD_8_64.npz"), paths.Npz);
            Assert.False(ResultFiles.Read(paths.Json).Complete);

            var second = ResultTestData.Awkward(complete: true);
            var again = ResultFiles.Write(second, out1);
            Assert.Equal(paths, again);
            Assert.True(ResultFiles.Read(paths.Json).Complete);
            Assert.True(ResultFiles.Read(paths.Npz).Complete);
            Assert.Equal(SkyScanResultNpz.ToBytes(second), File.ReadAllBytes(paths.Npz));
            Assert.Equal(SkyScanResultJson.Serialize(second), File.ReadAllText(paths.Json));

            // No temporary files are left behind.
            Assert.Equal(2, Directory.GetFiles(out1, "*", SearchOption.AllDirectories).Length);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Failed_write_keeps_the_old_file_and_removes_the_temporary()
    {
        var dir = Directory.CreateTempSubdirectory("skymap-results-");
        try
        {
            var path = Path.Combine(dir.FullName, "x.json");
            File.WriteAllText(path, "old");
            Assert.Throws<InvalidOperationException>(() => ResultFiles.WriteAtomically(path, s =>
            {
                s.WriteByte(1);
                throw new InvalidOperationException("boom");
            }));
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Read_rejects_unknown_extensions() =>
        Assert.Throws<ArgumentException>(() => ResultFiles.Read("result.txt"));
}
