namespace Skymap.Core.Healpix;

/// <summary>The two HEALPix pixel numbering schemes.</summary>
public enum HealpixOrdering
{
    /// <summary>RING scheme: pixels numbered along iso-latitude rings from north to south (Skymap's default).</summary>
    Ring,

    /// <summary>NESTED scheme: hierarchical quad-tree numbering inside each of the 12 base faces.</summary>
    Nest,
}
