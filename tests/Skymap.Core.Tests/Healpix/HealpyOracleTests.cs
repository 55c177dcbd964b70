using System.Diagnostics;
using System.Runtime.InteropServices;
using Skymap.Core.Healpix;
using Xunit.Abstractions;
using HP = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Healpix;

/// <summary>
/// A fact that needs Debian's <c>/usr/bin/python3</c> with healpy. It is skipped, saying why, only when that interpreter or
/// healpy is missing; CI installs both (<c>apt-get install python3-healpy</c>).
/// </summary>
public sealed class HealpyFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    public HealpyFactAttribute()
    {
        if (Unavailable.Value is { } reason && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = reason;
        }
    }

    private static string? Probe()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found: install Debian's python3-healpy to run the live healpy oracle.";
        }

        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import healpy, numpy"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"healpy is not importable by {Python}: {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be started: {e.Message}";
        }
    }
}

/// <summary>
/// Runs healpy live on directions and pixels drawn fresh by the test (a new seed each run, printed on failure), so the
/// comparison does not depend on the committed fixtures.
/// </summary>
public sealed class HealpyOracleTests(ITestOutputHelper output)
{
    private const string Script = """
        import sys
        import numpy as np
        import healpy as hp
        d = sys.argv[1]
        theta = np.fromfile(d + "/theta.bin", "<f8")
        phi = np.fromfile(d + "/phi.bin", "<f8")
        nsides = np.fromfile(d + "/nsides.bin", "<i8")
        pix = np.fromfile(d + "/pix.bin", "<i8").reshape(len(nsides), -1)
        out = []
        for k, n in enumerate(nsides):
            n = int(n)
            for nest in (False, True):
                out.append(hp.ang2pix(n, theta, phi, nest=nest).astype("<i8"))
                t, f = hp.pix2ang(n, pix[k], nest=nest)
                out += [t.view("<i8"), f.view("<i8")]
                out.append(hp.get_all_neighbours(n, pix[k], nest=nest).T.ravel().astype("<i8"))
            out.append(hp.ring2nest(n, pix[k]).astype("<i8"))
        np.concatenate(out).astype("<i8").tofile(d + "/out.bin")
        """;

    [HealpyFact]
    public void Fresh_random_directions_and_pixels_match_live_healpy()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        const int n = 20_000;
        long[] nsides = [1, 8, 64, 512, 1L << 13, 1L << 20, 1L << 29];
        var theta = new double[n];
        var phi = new double[n];
        for (var i = 0; i < n; i++)
        {
            theta[i] = (i % 10) switch
            {
                0 => rng.NextDouble() * 1e-3,                      // near the north pole
                1 => Math.PI - (rng.NextDouble() * 1e-6),          // near the south pole
                2 => Math.Acos((2.0 / 3.0) + ((rng.NextDouble() - 0.5) * 1e-9)), // the cap/belt transition
                _ => Math.Acos((2 * rng.NextDouble()) - 1),
            };
            phi[i] = (rng.NextDouble() * 30) - 10;
        }

        var pix = new long[nsides.Length * n];
        for (var k = 0; k < nsides.Length; k++)
        {
            for (var i = 0; i < n; i++)
            {
                pix[(k * n) + i] = rng.NextInt64(HP.NPix(nsides[k]));
            }
        }

        var dir = Directory.CreateTempSubdirectory("skymap-healpy-oracle-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "theta.bin"), MemoryMarshal.AsBytes(theta.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, "phi.bin"), MemoryMarshal.AsBytes(phi.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, "nsides.bin"), MemoryMarshal.AsBytes(nsides.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, "pix.bin"), MemoryMarshal.AsBytes(pix.AsSpan()).ToArray());
            File.WriteAllText(Path.Combine(dir, "oracle.py"), Script);
            using (var p = Process.Start(new ProcessStartInfo(HealpyFactAttribute.Python, [Path.Combine(dir, "oracle.py"), dir])
            {
                RedirectStandardError = true,
            })!)
            {
                var stderr = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, $"healpy script failed: {stderr}");
            }

            var result = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(Path.Combine(dir, "out.bin"))).ToArray();
            var o = 0;
            Span<long> nb = stackalloc long[8];
            for (var k = 0; k < nsides.Length; k++)
            {
                var nside = nsides[k];
                foreach (var ordering in new[] { HealpixOrdering.Ring, HealpixOrdering.Nest })
                {
                    for (var i = 0; i < n; i++)
                    {
                        Assert.True(result[o + i] == HP.Ang2Pix(nside, theta[i], phi[i], ordering),
                            $"seed {seed}: ang2pix nside {nside} {ordering} theta {theta[i]:R} phi {phi[i]:R}");
                    }

                    o += n;
                    for (var i = 0; i < n; i++)
                    {
                        var (t, f) = HP.Pix2Ang(nside, pix[(k * n) + i], ordering);
                        var context = $"seed {seed}: nside {nside} {ordering} pixel {pix[(k * n) + i]}";
                        AngleAssert.Theta(BitConverter.Int64BitsToDouble(result[o + i]), t, context);
                        AngleAssert.Phi(BitConverter.Int64BitsToDouble(result[o + n + i]), f, context);
                    }

                    o += 2 * n;
                    for (var i = 0; i < n; i++)
                    {
                        var p = pix[(k * n) + i];
                        HP.GetAllNeighbours(nside, p, nb, ordering);
                        for (var m = 0; m < 8; m++)
                        {
                            Assert.True(result[o + (8 * i) + m] == nb[m], $"seed {seed}: neighbours nside {nside} {ordering} pixel {p}");
                        }
                    }

                    o += 8 * n;
                }

                for (var i = 0; i < n; i++)
                {
                    Assert.Equal(result[o + i], HP.Ring2Nest(nside, pix[(k * n) + i]));
                }

                o += n;
            }

            Assert.Equal(result.Length, o);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
