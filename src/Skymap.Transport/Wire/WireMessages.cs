using MessagePack;

namespace Skymap.Transport.Wire;

// The MessagePack messages of the out-of-process transports (docs/wire-format.md is the authority). Each message is
// one MessagePack array: integer keys 0..N-1 without gaps, key 0 = wire_version. Keys are frozen for a wire version;
// any change of layout is a new wire version. These types never leave Skymap.Transport: WireFormat converts them
// to and from Core's PixelTask and PixelTaskResult at the edge.

/// <summary>A fit seed (array of 5, no version of its own: it only travels inside a <see cref="WireTask"/>).</summary>
[MessagePackObject]
internal sealed class WireSeed
{
    /// <summary>The number of keys of a seed.</summary>
    public const int KeyCount = 5;

    /// <summary>Vertex x [m].</summary>
    [Key(0)]
    public double X { get; set; }

    /// <summary>Vertex y [m].</summary>
    [Key(1)]
    public double Y { get; set; }

    /// <summary>Vertex z [m].</summary>
    [Key(2)]
    public double Z { get; set; }

    /// <summary>Vertex time [ns].</summary>
    [Key(3)]
    public double T { get; set; }

    /// <summary>Energy [GeV]; NaN = unknown.</summary>
    [Key(4)]
    public double Energy { get; set; } = double.NaN;
}

/// <summary>One pixel variation to reconstruct, server → worker (message name <c>PixelTask</c>, array of 15).</summary>
[MessagePackObject]
internal sealed class WireTask
{
    /// <summary>The number of keys of a version-1 task.</summary>
    public const int KeyCount = 15;

    /// <summary>The key of the main seed.</summary>
    public const int SeedKey = 10;

    /// <summary>The key of the optional fallback seed.</summary>
    public const int FallbackSeedKey = 11;

    /// <summary><see cref="WireFormat.Version"/>.</summary>
    [Key(0)]
    public uint WireVersion { get; set; }

    /// <summary>The scan this task belongs to.</summary>
    [Key(1)]
    public string? ScanId { get; set; }

    /// <summary>HEALPix nside.</summary>
    [Key(2)]
    public uint Nside { get; set; }

    /// <summary>RING pixel id.</summary>
    [Key(3)]
    public ulong PixelId { get; set; }

    /// <summary>Position variation index.</summary>
    [Key(4)]
    public uint PosvarId { get; set; }

    /// <summary>Reco name.</summary>
    [Key(5)]
    public string? RecoAlgo { get; set; }

    /// <summary>Local zenith [rad], fixed during the fit.</summary>
    [Key(6)]
    public double Zenith { get; set; }

    /// <summary>Local azimuth [rad].</summary>
    [Key(7)]
    public double Azimuth { get; set; }

    /// <summary>J2000 right ascension of the pixel centre [rad] (logs).</summary>
    [Key(8)]
    public double Ra { get; set; }

    /// <summary>J2000 declination of the pixel centre [rad] (logs).</summary>
    [Key(9)]
    public double Dec { get; set; }

    /// <summary>The main seed (never nil).</summary>
    [Key(SeedKey)]
    public WireSeed? Seed { get; set; }

    /// <summary>The fallback-position seed, or nil.</summary>
    [Key(FallbackSeedKey)]
    public WireSeed? FallbackSeed { get; set; }

    /// <summary>1-based attempt number.</summary>
    [Key(12)]
    public uint Attempt { get; set; }

    /// <summary>Epoch seconds when sent.</summary>
    [Key(13)]
    public double SentTime { get; set; }

    /// <summary>SHA-256 (hex) of the startup document the worker must hold.</summary>
    [Key(14)]
    public string? StartupSha256 { get; set; }
}

/// <summary>The reply for one attempt at a task, worker → server (message name <c>PixelResult</c>, array of 19).</summary>
[MessagePackObject]
internal sealed class WireResult
{
    /// <summary>The number of keys of a version-1 reply.</summary>
    public const int KeyCount = 19;

    /// <summary><see cref="WireFormat.Version"/>.</summary>
    [Key(0)]
    public uint WireVersion { get; set; }

    /// <summary>The scan this reply belongs to.</summary>
    [Key(1)]
    public string? ScanId { get; set; }

    /// <summary>HEALPix nside.</summary>
    [Key(2)]
    public uint Nside { get; set; }

    /// <summary>RING pixel id.</summary>
    [Key(3)]
    public ulong PixelId { get; set; }

    /// <summary>Position variation index.</summary>
    [Key(4)]
    public uint PosvarId { get; set; }

    /// <summary>0 OK, 1 FAILED, 2 TIMEOUT, 3 DEAD_LETTERED (never sent by workers).</summary>
    [Key(5)]
    public int Status { get; set; }

    /// <summary>-ln L at the optimum.</summary>
    [Key(6)]
    public double Llh { get; set; }

    /// <summary>Reconstructed losses inside the detector [GeV].</summary>
    [Key(7)]
    public double EIn { get; set; }

    /// <summary>Reconstructed losses in total [GeV].</summary>
    [Key(8)]
    public double ETot { get; set; }

    /// <summary>Fitted vertex x [m].</summary>
    [Key(9)]
    public double X { get; set; }

    /// <summary>Fitted vertex y [m].</summary>
    [Key(10)]
    public double Y { get; set; }

    /// <summary>Fitted vertex z [m].</summary>
    [Key(11)]
    public double Z { get; set; }

    /// <summary>Fitted vertex time [ns].</summary>
    [Key(12)]
    public double T { get; set; }

    /// <summary>Fitted energy [GeV].</summary>
    [Key(13)]
    public double Energy { get; set; }

    /// <summary>Seconds the worker spent on the fit (measured by the worker).</summary>
    [Key(14)]
    public double RuntimeS { get; set; }

    /// <summary>Worker identity <c>host:pid:index</c>.</summary>
    [Key(15)]
    public string? WorkerId { get; set; }

    /// <summary>The attempt this reply answers (echoed).</summary>
    [Key(16)]
    public uint Attempt { get; set; }

    /// <summary>FAILED/TIMEOUT reason; empty when OK.</summary>
    [Key(17)]
    public string? Error { get; set; }

    /// <summary>Worker log lines (debug mode <c>client-logs</c>); this build writes an empty string and ignores it.</summary>
    [Key(18)]
    public string? LogTail { get; set; }
}
