using Skymap.Core.Geometry;
using Skymap.Core.Results;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Maps;

/// <summary>One scanned pixel of a result with its map value.</summary>
/// <param name="Nside">The pixel's nside.</param>
/// <param name="Index">Its RING id.</param>
/// <param name="Llh">Its −ln L (NaN for a failed pixel).</param>
/// <param name="DeltaLlh2">2ΔLLH = 2·(llh − llh_best); NaN for a failed pixel.</param>
internal readonly record struct ScannedPixel(long Nside, long Index, double Llh, double DeltaLlh2);

/// <summary>
/// The map analysis of a scan result (FORMATS.md §6–§7, PHYSICS.md §6): 2ΔLLH relative to the best fit, the
/// finest-nside HEALPix map, contour lines and their areas, rectangular errors and the optional probability map.
/// </summary>
/// <remarks>
/// <para>
/// Best fit (FORMATS.md §6, Skymap rules): the lowest finite llh over all nsides; NaN (failed) pixels are
/// ignored, ties go to the first nside, then the lowest index.
/// </para>
/// <para>
/// Contours are traced on the spherical Delaunay triangulation of the centres of all scanned pixels of all
/// nsides (where two nsides share a centre, the finer pixel's value is used, as skyreader's dictionary does);
/// NaN values are replaced by the map maximum for the contours only. The crossing on each edge is where the
/// monotone cubic Hermite interpolant of the two end values and slopes reaches the level, the slopes coming from a
/// local quadratic fit at every sample (<see cref="SampleGradients"/>): exact on a quadratic bowl, where meander's
/// linear interpolation between centres cuts every crossing short and loses a few per cent of a small region's
/// area (a σ = 0.5° Gaussian's 50 % region by 14 %, now 0.8 %).
/// </para>
/// <para>
/// Polygon areas: each line's shoelace area in (φ, cos θ) with φ shifted so that the best fit sits at π and
/// unwrapped along the line; a line that winds around a pole is closed along that pole. The level's area is
/// the sum of the signed areas (holes count negatively) modulo 4π. For contours without holes that do not
/// enclose a pole, which is every ordinary case, this is FORMATS.md's Σ |½ Σᵢ …| exactly.
/// </para>
/// </remarks>
public sealed class SkymapAnalysis
{
    /// <summary>Square degrees per steradian, (180/π)².</summary>
    public const double SquareDegreesPerSteradian = (180.0 / Math.PI) * (180.0 / Math.PI);

    private readonly double[] _finestMap;
    private readonly ScannedPixel[] _pixels;
    private readonly Vector3D[] _samplePoints;
    private readonly double[] _sampleValues;
    private readonly Lock _gate = new();
    private readonly Dictionary<double, IReadOnlyList<SkyContour>> _contours = [];
    private int[]? _triangles;
    private Vector3D[]? _gradients;
    private IReadOnlyList<ContourSummary>? _summaries;
    private readonly Dictionary<double, ProbabilityMap> _probability = [];

    /// <summary>Analyses a result.</summary>
    /// <param name="result">The result (any version).</param>
    /// <param name="systematics">Use the "IC160427A syst." levels 22.2/64.2 instead of Wilks' levels.</param>
    /// <exception cref="ArgumentException">No pixel of the result has a finite llh.</exception>
    public SkymapAnalysis(SkyScanResult result, bool systematics = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
        Systematics = systematics;
        Levels = ContourLevels.For(systematics);

        // Best fit: lowest finite llh; strict < keeps the first nside and the lowest index on ties.
        var found = false;
        ResultBestFit best = default;
        foreach (var block in result.Blocks)
        {
            foreach (ref readonly var row in block.RowSpan)
            {
                if (double.IsFinite(row.Llh) && (!found || row.Llh < best.Llh))
                {
                    best = new ResultBestFit(block.Nside, row.Index, row.Llh, row);
                    found = true;
                }
            }
        }

        if (!found)
        {
            throw new ArgumentException("The result has no pixel with a finite llh: there is no best fit to map.", nameof(result));
        }

        BestFit = best;
        var (theta, phi) = HealpixMath.Pix2Ang(best.Nside, best.Index);
        BestRa = phi;
        BestDec = (Math.PI / 2) - theta;
        BestDirection = Vector3D.FromSpherical(theta, phi);
        MaxNside = result.Nsides[^1];

        _pixels = BuildPixels(result, best.Llh, out var maximum);
        MapMaximum = maximum;
        _finestMap = BuildFinestMap(result, MaxNside, best.Llh);
        (_samplePoints, _sampleValues) = BuildSamples(ResampleRefinementBorders(_pixels, result.Nsides, _finestMap, MaxNside), maximum);
    }

    /// <summary>The analysed result.</summary>
    public SkyScanResult Result { get; }

    /// <summary>Whether the systematics levels are used.</summary>
    public bool Systematics { get; }

    /// <summary>The contour levels, ascending; the first is the 50 % level and the second the 90 % level.</summary>
    public IReadOnlyList<ContourLevel> Levels { get; }

    /// <summary>The 50 % level.</summary>
    public ContourLevel Level50 => Levels[0];

    /// <summary>The 90 % level.</summary>
    public ContourLevel Level90 => Levels[1];

    /// <summary>The best-fit pixel.</summary>
    public ResultBestFit BestFit { get; }

    /// <summary>The best-fit −ln L.</summary>
    public double BestLlh => BestFit.Llh;

    /// <summary>Best-fit right ascension (φ of the pixel centre), radians in [0, 2π).</summary>
    public double BestRa { get; }

    /// <summary>Best-fit declination (π/2 − θ of the pixel centre), radians.</summary>
    public double BestDec { get; }

    /// <summary>Best-fit right ascension in degrees.</summary>
    public double BestRaDegrees => BestRa * 180.0 / Math.PI;

    /// <summary>Best-fit declination in degrees.</summary>
    public double BestDecDegrees => BestDec * 180.0 / Math.PI;

    /// <summary>Best-fit direction as a unit vector.</summary>
    public Vector3D BestDirection { get; }

    /// <summary>The largest nside of the result: the nside of <see cref="FinestMap"/>.</summary>
    public long MaxNside { get; }

    /// <summary>Largest finite 2ΔLLH of any scanned pixel.</summary>
    public double MapMaximum { get; }

    /// <summary>
    /// The finest-nside map (FORMATS.md §7): a RING map of 12·<see cref="MaxNside"/>² pixels holding 2ΔLLH; for each
    /// nside ascending, every scanned pixel's finite value is copied to all its descendants, overwriting coarser
    /// values; never scanned (or only failed) pixels are NaN.
    /// </summary>
    public ReadOnlySpan<double> FinestMap => _finestMap;

    /// <summary>Every scanned pixel of every nside, in result order, with its 2ΔLLH.</summary>
    internal IReadOnlyList<ScannedPixel> Pixels => _pixels;

    /// <summary>Pixel area of <see cref="MaxNside"/> in square degrees.</summary>
    public double FinestPixelAreaDegrees => HealpixMath.PixelArea(MaxNside) * SquareDegreesPerSteradian;

    /// <summary>2ΔLLH of an llh value relative to the best fit.</summary>
    /// <param name="llh">−ln L.</param>
    /// <returns>2·(llh − llh_best).</returns>
    public double DeltaLlh2(double llh) => 2.0 * (llh - BestLlh);

    /// <summary>
    /// The llh of the scanned pixel containing a direction, searching the nsides finest first (FORMATS.md §6,
    /// skyreader's <c>llh(ra, dec)</c>); a failed pixel gives NaN.
    /// </summary>
    /// <param name="ra">Right ascension (rad).</param>
    /// <param name="dec">Declination (rad).</param>
    /// <returns>The llh, or <see langword="null"/> when no nside scanned that direction.</returns>
    public double? Llh(double ra, double dec)
    {
        var theta = Math.Clamp((Math.PI / 2) - dec, 0.0, Math.PI);
        var phi = NormalizeRa(ra);
        var blocks = Result.Blocks;
        for (var b = blocks.Count - 1; b >= 0; b--)
        {
            var pixel = HealpixMath.Ang2Pix(blocks[b].Nside, theta, phi);
            if (blocks[b].TryGetRow(pixel, out var row))
            {
                return row.Llh;
            }
        }

        return null;
    }

    /// <summary>
    /// Pixel-sum area (FORMATS.md §7): the number of <see cref="FinestMap"/> pixels with 2ΔLLH &lt;
    /// <paramref name="level"/> times the pixel area, in square degrees. NaN (unscanned, failed) never counts.
    /// </summary>
    /// <param name="level">The 2ΔLLH level.</param>
    /// <returns>The area (deg²).</returns>
    public double PixelSumArea(double level) => CountBelow(level) * FinestPixelAreaDegrees;

    /// <summary>The number of <see cref="FinestMap"/> pixels with 2ΔLLH &lt; <paramref name="level"/>.</summary>
    /// <param name="level">The 2ΔLLH level.</param>
    /// <returns>The count.</returns>
    public long CountBelow(double level)
    {
        long count = 0;
        foreach (var v in _finestMap)
        {
            if (v < level)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The contour lines of a level: marching triangles on the spherical Delaunay triangulation of the scanned
    /// pixel centres (NaN values replaced by <see cref="MapMaximum"/>), crossings by monotone cubic Hermite
    /// interpolation along each edge. Results are cached per level.
    /// </summary>
    /// <param name="level">The 2ΔLLH level.</param>
    /// <returns>The closed lines, inside (2ΔLLH &lt; level) on the left; empty when nothing crosses the level.</returns>
    public IReadOnlyList<SkyContour> Contours(double level)
    {
        lock (_gate)
        {
            if (_contours.TryGetValue(level, out var cached))
            {
                return cached;
            }

            _triangles ??= SphericalDelaunay.Triangulate(_samplePoints);
            _gradients ??= SampleGradients.Estimate(_samplePoints, _sampleValues, _triangles);
            var lines = MarchingTriangles.Trace(_samplePoints, _sampleValues, _triangles, level, _gradients);
            var contours = new List<SkyContour>(lines.Count);
            foreach (var line in lines)
            {
                contours.Add(new SkyContour(level, line, ShoelaceArea(line, BestRa)));
            }

            // Largest first: the main region before islands and holes.
            contours.Sort(static (a, b) => Math.Abs(b.SignedArea).CompareTo(Math.Abs(a.SignedArea)));
            _contours[level] = contours;
            return contours;
        }
    }

    /// <summary>
    /// Polygon (shoelace) area of a level in square degrees (FORMATS.md §7): the sum over the level's
    /// <see cref="Contours(double)"/> of their signed areas, modulo the full sky.
    /// </summary>
    /// <param name="level">The 2ΔLLH level.</param>
    /// <returns>
    /// The area (deg²); 0 when nothing is below the level or fewer than 4 pixels were scanned, the full sky when
    /// everything is below it.
    /// </returns>
    public double PolygonArea(double level)
    {
        var contours = Contours(level);
        var fullSky = 4 * Math.PI * SquareDegreesPerSteradian;
        if (contours.Count == 0)
        {
            // No line: everything or nothing is below the level (or too few pixels to triangulate: nothing).
            return _triangles is { Length: > 0 } && _sampleValues.All(v => v < level) ? fullSky : 0.0;
        }

        var sum = contours.Sum(static c => c.SignedArea);
        sum %= fullSky;
        return sum < 0 ? sum + fullSky : sum;
    }

    /// <summary>
    /// Rectangular errors of a level: the bounding box of its contour vertices relative to the best fit
    /// (skyreader's <c>bounding_box</c>), degrees, RA offsets taken on the circle around the best fit.
    /// </summary>
    /// <param name="level">The 2ΔLLH level.</param>
    /// <returns>The box, or <see cref="RectangularErrors.None"/> when the level has no contour.</returns>
    internal RectangularErrors RectangularErrors(double level)
    {
        var contours = Contours(level);
        if (contours.Count == 0)
        {
            return Maps.RectangularErrors.None;
        }

        double raLo = double.PositiveInfinity, raHi = double.NegativeInfinity;
        double decLo = double.PositiveInfinity, decHi = double.NegativeInfinity;
        foreach (var contour in contours)
        {
            foreach (var v in contour.Vertices)
            {
                var ra = Math.Atan2(v.Y, v.X);
                var offset = NormalizeRa(ra - BestRa + Math.PI) - Math.PI;
                var dec = Math.Asin(Math.Clamp(v.Z, -1.0, 1.0));
                raLo = Math.Min(raLo, offset);
                raHi = Math.Max(raHi, offset);
                decLo = Math.Min(decLo, dec);
                decHi = Math.Max(decHi, dec);
            }
        }

        const double deg = 180.0 / Math.PI;
        return new RectangularErrors(raHi * deg, Math.Abs(raLo * deg), (decHi - BestDec) * deg, Math.Abs((decLo - BestDec) * deg));
    }

    /// <summary>Pixel-sum area, polygon area and rectangular errors of every level of <see cref="Levels"/>.</summary>
    internal IReadOnlyList<ContourSummary> Summaries
    {
        get
        {
            if (_summaries is null)
            {
                var list = new List<ContourSummary>(Levels.Count);
                foreach (var level in Levels)
                {
                    list.Add(new ContourSummary(level, PixelSumArea(level.Value), PolygonArea(level.Value), RectangularErrors(level.Value)));
                }

                _summaries = list;
            }

            return _summaries;
        }
    }

    /// <summary>The probability map P ∝ exp(−Δllh) over <see cref="FinestMap"/> (computed once per smoothing).</summary>
    /// <param name="angularErrorFloorDegrees">σ (deg) of an optional Gaussian smoothing (skyreader's angular error floor).</param>
    /// <returns>The map with its highest-density levels.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The floor is not a positive number.</exception>
    internal ProbabilityMap ProbabilityMap(double? angularErrorFloorDegrees = null)
    {
        var key = angularErrorFloorDegrees ?? 0.0;
        lock (_gate)
        {
            if (!_probability.TryGetValue(key, out var map))
            {
                map = new ProbabilityMap(_finestMap, MaxNside, angularErrorFloorDegrees);
                _probability[key] = map;
            }

            return map;
        }
    }

    /// <summary>An angle brought into [0, 2π).</summary>
    internal static double NormalizeRa(double ra)
    {
        var r = ra % (2 * Math.PI);
        if (r < 0)
        {
            r += 2 * Math.PI;
        }

        return r >= 2 * Math.PI ? 0.0 : r;
    }

    /// <summary>Signed shoelace area (deg²) of a line in (φ shifted so that <paramref name="bestRa"/> is at π, cos θ).</summary>
    internal static double ShoelaceArea(ReadOnlySpan<Vector3D> vertices, double bestRa)
    {
        var n = vertices.Length;
        if (n < 3)
        {
            return 0.0;
        }

        // Unwrap φ along the line so that steps stay within (−π, π].
        var phi = new double[n + 1];
        var u = new double[n + 1];
        phi[0] = NormalizeRa(Math.Atan2(vertices[0].Y, vertices[0].X) - bestRa + Math.PI);
        u[0] = Math.Clamp(vertices[0].Z, -1.0, 1.0);
        for (var i = 1; i <= n; i++)
        {
            var v = vertices[i % n];
            var raw = NormalizeRa(Math.Atan2(v.Y, v.X) - bestRa + Math.PI);
            var step = raw - NormalizeRa(phi[i - 1]);
            if (step > Math.PI)
            {
                step -= 2 * Math.PI;
            }
            else if (step <= -Math.PI)
            {
                step += 2 * Math.PI;
            }

            phi[i] = phi[i - 1] + step;
            u[i] = Math.Clamp(v.Z, -1.0, 1.0);
        }

        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += (phi[i] * u[i + 1]) - (phi[i + 1] * u[i]);
        }

        // phi[n] is the first vertex again, possibly one turn away: a line around a pole. Close it along the pole
        // on the inside's side (left of an eastward line is north).
        var winding = phi[n] - phi[0];
        if (Math.Abs(winding) > Math.PI)
        {
            var pole = winding > 0 ? 1.0 : -1.0;
            // (phi[n], u[n]) → (phi[n], pole) → (phi[0], pole) → (phi[0], u[0])
            sum += (phi[n] * pole) - (phi[n] * u[n]);
            sum += (phi[n] * pole) - (phi[0] * pole);
            sum += (phi[0] * u[0]) - (phi[0] * pole);
        }

        return 0.5 * sum * SquareDegreesPerSteradian;
    }

    private static ScannedPixel[] BuildPixels(SkyScanResult result, double bestLlh, out double maximum)
    {
        var pixels = new ScannedPixel[result.PixelCount];
        var i = 0;
        maximum = 0.0;
        foreach (var block in result.Blocks)
        {
            foreach (ref readonly var row in block.RowSpan)
            {
                var value = double.IsFinite(row.Llh) ? 2.0 * (row.Llh - bestLlh) : double.NaN;
                if (value > maximum)
                {
                    maximum = value;
                }

                pixels[i++] = new ScannedPixel(block.Nside, row.Index, row.Llh, value);
            }
        }

        return pixels;
    }

    private static double[] BuildFinestMap(SkyScanResult result, long maxNside, double bestLlh)
    {
        var npix = HealpixMath.NPix(maxNside);
        if (npix > Array.MaxLength)
        {
            throw new ArgumentException($"nside {maxNside} is too large for an in-memory full-sky map.", nameof(result));
        }

        var map = new double[npix];
        Array.Fill(map, double.NaN);
        foreach (var block in result.Blocks)
        {
            var nside = block.Nside;
            foreach (ref readonly var row in block.RowSpan)
            {
                if (!double.IsFinite(row.Llh))
                {
                    continue;
                }

                var value = 2.0 * (row.Llh - bestLlh);
                if (nside == maxNside)
                {
                    map[row.Index] = value;
                    continue;
                }

                foreach (var child in HealpixMath.Children(nside, row.Index, maxNside))
                {
                    map[child] = value;
                }
            }
        }

        return map;
    }

    /// <summary>
    /// Where a coarse pixel touches (or contains) a region scanned at a finer nside, the coarse pixel's single centre
    /// would let the contour cut across its area; the centres of its children at the next scanned nside are added, each
    /// with the finest-map value there, so that contours follow the map near refinement borders (skyreader's samples stay).
    /// </summary>
    private static ScannedPixel[] ResampleRefinementBorders(ScannedPixel[] pixels, IReadOnlyList<long> nsides, double[] finestMap, long maxNside)
    {
        if (nsides.Count < 2)
        {
            return pixels;
        }

        // Per nside (all but the finest): the pixels that contain a pixel scanned at any finer nside.
        var refined = new Dictionary<long, HashSet<long>>();
        for (var k = 0; k < nsides.Count - 1; k++)
        {
            refined[nsides[k]] = [];
        }

        foreach (var p in pixels)
        {
            foreach (var n in nsides)
            {
                if (n < p.Nside)
                {
                    refined[n].Add(HealpixMath.Parent(p.Nside, p.Index, n));
                }
            }
        }

        var output = new List<ScannedPixel>(pixels.Length);
        Span<long> neighbours = stackalloc long[8];
        foreach (var p in pixels)
        {
            output.Add(p);
            if (p.Nside == maxNside)
            {
                continue;
            }

            var set = refined[p.Nside];
            var border = set.Contains(p.Index);
            if (!border)
            {
                HealpixMath.GetAllNeighbours(p.Nside, p.Index, neighbours);
                foreach (var q in neighbours)
                {
                    if (q >= 0 && set.Contains(q))
                    {
                        border = true;
                        break;
                    }
                }
            }

            if (!border)
            {
                continue;
            }

            long next = 0;
            foreach (var n in nsides)
            {
                if (n > p.Nside)
                {
                    next = n;
                    break;
                }
            }

            foreach (var child in HealpixMath.Children(p.Nside, p.Index, next))
            {
                var v = finestMap[HealpixMath.Vec2Pix(maxNside, HealpixMath.Pix2Vec(next, child))];
                output.Add(new ScannedPixel(next, child, double.NaN, v));
            }
        }

        // Coincident centres keep the later entry: order by nside so that real finer pixels come after resampled ones.
        return [.. output.OrderBy(static p => p.Nside).ThenBy(static p => double.IsNaN(p.Llh) ? 0 : 1)];
    }

    private static (Vector3D[] Points, double[] Values) BuildSamples(ScannedPixel[] pixels, double maximum)
    {
        // Pixel centres of all nsides; coincident centres (e.g. an nside-8 centre that is also an nside-64
        // centre) keep the later, finer pixel, like skyreader's dict keyed by (dec, ra).
        var n = pixels.Length;
        var points = new Vector3D[n];
        for (var i = 0; i < n; i++)
        {
            points[i] = HealpixMath.Pix2Vec(pixels[i].Nside, pixels[i].Index);
        }

        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var zs = Array.ConvertAll(points, static p => p.Z);
        Array.Sort(zs, order);
        var dropped = new bool[n];
        const double tolerance = 1e-10;
        for (var a = 0; a < n; a++)
        {
            var i = order[a];
            for (var b = a + 1; b < n && zs[b] - zs[a] <= tolerance; b++)
            {
                var j = order[b];
                if ((points[i] - points[j]).Length <= tolerance)
                {
                    dropped[Math.Min(i, j)] = true; // pixels are in nside-ascending order: keep the later one
                }
            }
        }

        var keptPoints = new List<Vector3D>(n);
        var keptValues = new List<double>(n);
        for (var i = 0; i < n; i++)
        {
            if (!dropped[i])
            {
                keptPoints.Add(points[i]);
                var v = pixels[i].DeltaLlh2;
                keptValues.Add(double.IsNaN(v) ? maximum : v);
            }
        }

        return ([.. keptPoints], [.. keptValues]);
    }
}
