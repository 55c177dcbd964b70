namespace Skymap.Core.Maps;

/// <summary>
/// The bounding box of a contour level relative to the best fit (skyreader's "rectangular errors"), in degrees.
/// RA offsets are plain differences in right ascension (not multiplied by cos Dec), taken on the circle so that a
/// contour across RA = 0 gives small offsets. "Minus" values are magnitudes, as in the FITS cards.
/// All values are NaN when the level has no contour.
/// </summary>
/// <param name="RaPlus">Largest RA offset east of the best fit (deg).</param>
/// <param name="RaMinus">Magnitude of the most negative RA offset (deg).</param>
/// <param name="DecPlus">Largest Dec offset north of the best fit (deg).</param>
/// <param name="DecMinus">Magnitude of the most negative Dec offset (deg).</param>
internal readonly record struct RectangularErrors(double RaPlus, double RaMinus, double DecPlus, double DecMinus)
{
    /// <summary>All NaN: no contour at that level.</summary>
    public static RectangularErrors None => new(double.NaN, double.NaN, double.NaN, double.NaN);
}

/// <summary>What a contour level encloses.</summary>
/// <param name="Level">The level.</param>
/// <param name="PixelSumArea">Pixel-sum area (deg²): finest-map pixels with 2ΔLLH below the level × pixel area.</param>
/// <param name="PolygonArea">Polygon (shoelace) area of the contour lines (deg²).</param>
/// <param name="Errors">Bounding box of the contour lines relative to the best fit.</param>
internal readonly record struct ContourSummary(ContourLevel Level, double PixelSumArea, double PolygonArea, RectangularErrors Errors);
