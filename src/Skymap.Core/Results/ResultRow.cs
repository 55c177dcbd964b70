namespace Skymap.Core.Results;

/// <summary>One finished pixel of a result block (one row of FORMATS.md §1).</summary>
/// <remarks>
/// A failed pixel is stored with NaN values. Rows read from a version-0 file have NaN
/// <see cref="X"/>, <see cref="Y"/>, <see cref="Z"/> and <see cref="T"/>.
/// </remarks>
/// <param name="Index">HEALPix RING pixel id at the block's nside.</param>
/// <param name="Llh">−ln L (lower is better).</param>
/// <param name="EIn">Reco losses inside the detector (GeV).</param>
/// <param name="ETot">Total reco losses (GeV).</param>
/// <param name="X">Reco vertex x (m).</param>
/// <param name="Y">Reco vertex y (m).</param>
/// <param name="Z">Reco vertex z (m).</param>
/// <param name="T">Reco vertex time (ns).</param>
public readonly record struct ResultRow(
    long Index, double Llh, double EIn, double ETot, double X, double Y, double Z, double T)
{
    /// <summary>A failed pixel: every value NaN.</summary>
    /// <param name="index">The pixel id.</param>
    /// <returns>The row.</returns>
    public static ResultRow Failed(long index) =>
        new(index, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>A version-0 row (no vertex; <see cref="X"/>…<see cref="T"/> are NaN).</summary>
    /// <param name="index">The pixel id.</param>
    /// <param name="llh">−ln L.</param>
    /// <param name="eIn">Losses inside (GeV).</param>
    /// <param name="eTot">Total losses (GeV).</param>
    /// <returns>The row.</returns>
    public static ResultRow V0(long index, double llh, double eIn, double eTot) =>
        new(index, llh, eIn, eTot, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>A value by its version-1 column ordinal (0 = index … 7 = T), as a double.</summary>
    /// <param name="ordinal">Column ordinal in <see cref="ResultColumns.V1"/> order.</param>
    /// <returns>The value; the index converted to double.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The ordinal is not in 0..7.</exception>
    public double this[int ordinal] => ordinal switch
    {
        0 => Index,
        1 => Llh,
        2 => EIn,
        3 => ETot,
        4 => X,
        5 => Y,
        6 => Z,
        7 => T,
        _ => throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, "Column ordinal must be 0..7."),
    };

    /// <summary>Bit-exact equality of the first <paramref name="columnCount"/> columns (NaN never equal).</summary>
    internal bool ValuesEqual(in ResultRow other, int columnCount)
    {
        if (Index != other.Index)
        {
            return false;
        }

        for (var i = 1; i < columnCount; i++)
        {
            if (this[i] != other[i])
            {
                return false;
            }
        }

        return true;
    }
}
