using System.IO.Compression;
using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

/// <summary>
/// Outside oracle: our files loaded by Python's json and numpy's np.load through a re-implementation of
/// skyreader's deserialize/read_npz/serialize/to_npz (oracle/skyreader_oracle.py).
/// </summary>
public sealed class PythonOracleTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("skymap-oracle-");

    public void Dispose() => _dir.Delete(true);

    public static TheoryData<string> Results => new() { "awkward", "unicode", "example", "v0" };

    private static SkyScanResult Make(string name) => name switch
    {
        "awkward" => ResultTestData.Awkward(),
        "unicode" => ResultTestData.Awkward("Gé𝄞", complete: false),
        "example" => SkyScanResultJson.Deserialize(ResultTestData.ExampleJson),
        _ => SkyScanResultJson.Deserialize("""{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8, "run_id": 123456, "event_id": 7, "event_type": "BRONZE", "mjd": 58000.0}, "data": [[3, 496.5, 4643.5, 4736.5], [0, NaN, 1, 2]]}}"""),
    };

    /// <summary>Our dump of a result as written (our writer always writes version 1).</summary>
    private static string Expected(SkyScanResult r) =>
        PythonOracle.CanonicalDump(SkyScanResultJson.Deserialize(SkyScanResultJson.Serialize(r)));

    [PythonOracleTheory]
    [MemberData(nameof(Results))]
    public void Numpy_loads_our_npz_as_we_wrote_it(string name)
    {
        var r = Make(name);
        var paths = ResultFiles.Write(r, _dir.FullName);
        var (code, stdout, stderr) = PythonOracle.Run("dump", paths.Npz);
        Assert.True(code == 0, stderr);
        Assert.Equal(Expected(r), stdout);
    }

    [PythonOracleTheory]
    [MemberData(nameof(Results))]
    public void Python_loads_our_json_as_we_wrote_it(string name)
    {
        var r = Make(name);
        var paths = ResultFiles.Write(r, _dir.FullName);
        var (code, stdout, stderr) = PythonOracle.Run("dump", paths.Json);
        Assert.True(code == 0, stderr);
        Assert.Equal(Expected(r), stdout);
    }

    [PythonOracleTheory]
    [MemberData(nameof(Results))]
    public void Skyreaders_to_json_of_our_file_is_byte_identical(string name)
    {
        var r = Make(name);
        var paths = ResultFiles.Write(r, _dir.FullName);
        var python = Path.Combine(_dir.FullName, "python.json");
        var (code, _, stderr) = PythonOracle.Run("to-json", paths.Json, python);
        Assert.True(code == 0, stderr);
        Assert.Equal(File.ReadAllText(python), File.ReadAllText(paths.Json));
    }

    [PythonOracleTheory]
    [MemberData(nameof(Results))]
    public void We_read_numpys_savez_and_its_npy_members_equal_ours(string name)
    {
        var r = Make(name);
        var paths = ResultFiles.Write(r, _dir.FullName);
        var python = Path.Combine(_dir.FullName, "python.npz");
        var (code, _, stderr) = PythonOracle.Run("to-npz", paths.Json, python);
        Assert.True(code == 0, stderr);

        var theirs = SkyScanResultNpz.ReadFile(python);
        var ours = SkyScanResultNpz.ReadFile(paths.Npz);
        ResultTestData.AssertSameRows(ours, theirs);
        Assert.Equal(ours.Blocks.Select(b => b.Metadata), theirs.Blocks.Select(b => b.Metadata));

        // Member by member, numpy's .npy bytes equal ours.
        using var a = ZipFile.OpenRead(paths.Npz);
        using var b = ZipFile.OpenRead(python);
        Assert.Equal(a.Entries.Select(e => e.FullName), b.Entries.Select(e => e.FullName));
        foreach (var entry in a.Entries)
        {
            Assert.Equal(ReadAll(entry), ReadAll(b.GetEntry(entry.FullName)!));
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    public static TheoryData<string, string> UpstreamRejects => new()
    {
        { "rule 1", """{"nside8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8}, "data": []}}""" },
        { "rule 2", """{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8}, "data": [], "x": 1}}""" },
        { "rule 3", """{"nside-8": {"columns": ["index","llh","E_in","E_tot","X","Y","Z","T"], "metadata": {"nside": 8}, "data": []}}""" },
        { "rule 4", """{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 9}, "data": []}}""" },
        { "rule 5", """{"nside-8": {"columns": ["index","llh","E_in","E_tot","X","Y","Z","T"], "metadata": {"nside": 8, "run_id": 1, "event_id": 1, "event_type": "a", "mjd": 1.0, "version": 1}, "data": []}, "nside-64": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 64, "run_id": 1, "event_id": 1, "event_type": "a", "mjd": 1.0}, "data": []}}""" },
        { "rule 6", """{"nside-8": {"columns": ["index","llh","E_in","E_tot","X","Y","Z","T"], "metadata": {"nside": 8, "event_id": 1, "event_type": "a", "mjd": 1.0, "version": 1}, "data": []}}""" },
        { "rule 7", """{"nside-8": {"columns": ["index","llh","E_in","E_tot","X","Y","Z","T"], "metadata": {"nside": 8, "run_id": 99999, "event_id": 1, "event_type": "a", "mjd": 1.0, "is_real_event": true, "version": 1}, "data": []}}""" },
    };

    [PythonOracleTheory]
    [MemberData(nameof(UpstreamRejects))]
    public void Upstream_logic_and_we_both_reject_each_rule_violation(string rule, string json)
    {
        var path = Path.Combine(_dir.FullName, "bad.json");
        File.WriteAllText(path, json);
        var (code, _, stderr) = PythonOracle.Run("dump", path);
        Assert.True(code == 2, $"{rule}: the oracle accepted the file ({stderr})");
        Assert.Throws<SkyScanResultFormatException>(() => SkyScanResultJson.Deserialize(json));
    }
}
