#!/usr/bin/python3
"""Generate the HEALPix golden fixtures for Skymap.Core's tests, using healpy as the outside oracle.

Run with Debian's interpreter, which has healpy 1.16 (HEALPix C++ 3.80) and numpy:

    /usr/bin/python3 tools/healpy-fixtures/generate.py [output-dir]

The default output directory is tests/Skymap.Core.Tests/Fixtures/healpix/. Output is deterministic (fixed seeds).

File format ("HPXF" container, gzip-compressed), all integers little-endian:

    b"HPXF"  u32 version (=1)  u32 array-count
    per array:  u16 name-length, name (ASCII), u8 kind, u8 ndim, ndim x u64 shape, raw data
    kind: b'd' float64, b'q' int64, b'i' int32

Doubles are stored as their exact IEEE-754 bits. To keep the files small, some float arrays are stored as the int64
XOR of their bits with the bits of a closely related array (named "<name>_xor_<base>"): pixel-centre angles next to
the input angles share their leading bytes, which gzip then squeezes out. Disc-query results are stored as half-open
id ranges [start, end), concatenated, with per-case offsets into the range list.
"""

import gzip
import os
import struct
import sys

import healpy as hp
import numpy as np

VERSION = 1
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "Skymap.Core.Tests", "Fixtures", "healpix"))
BIG_NSIDES = [2**10, 2**20, 2**29]


# --------------------------------------------------------------------------------------------------------------------
# container
# --------------------------------------------------------------------------------------------------------------------

def write_container(path, arrays):
    """arrays: list of (name, numpy array) with dtype float64, int64 or int32."""
    kinds = {np.dtype(np.float64): b"d", np.dtype(np.int64): b"q", np.dtype(np.int32): b"i"}
    chunks = [b"HPXF", struct.pack("<II", VERSION, len(arrays))]
    for name, arr in arrays:
        arr = np.ascontiguousarray(arr)
        kind = kinds[arr.dtype]
        raw = name.encode("ascii")
        chunks.append(struct.pack("<H", len(raw)) + raw + kind + struct.pack("<B", arr.ndim))
        chunks.append(struct.pack("<%dQ" % arr.ndim, *arr.shape))
        chunks.append(arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes())
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        f.write(b"".join(chunks))
    print("%-28s %9d bytes" % (os.path.basename(path), os.path.getsize(path)))


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def xor_bits(a, base):
    return bits(a) ^ bits(base)


def to_ranges(ids):
    """Sorted unique ids -> (starts, ends) of maximal runs."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    breaks = np.nonzero(np.diff(ids) != 1)[0]
    starts = np.concatenate(([ids[0]], ids[breaks + 1]))
    ends = np.concatenate((ids[breaks] + 1, [ids[-1] + 1]))
    return starts, ends


# --------------------------------------------------------------------------------------------------------------------
# 1. every pixel at nside 1 ... 64
# --------------------------------------------------------------------------------------------------------------------

def all_pixels(out):
    arrays = []
    for k in range(0, 7):
        nside = 2**k
        npix = hp.nside2npix(nside)
        pix = np.arange(npix, dtype=np.int64)
        p = "n%d/" % nside
        for scheme, nest in (("ring", False), ("nest", True)):
            th, ph = hp.pix2ang(nside, pix, nest=nest)
            x, y, z = hp.pix2vec(nside, pix, nest=nest)
            nb = hp.get_all_neighbours(nside, pix, nest=nest).T.astype(np.int32)  # (npix, 8)
            arrays += [
                (p + scheme + "/theta", th), (p + scheme + "/phi", ph),
                (p + scheme + "/vec", np.stack([x, y, z], axis=1)),
                (p + scheme + "/neighbours", nb),
            ]
        arrays += [
            (p + "ring2nest", hp.ring2nest(nside, pix).astype(np.int32)),
            (p + "nest2ring", hp.nest2ring(nside, pix).astype(np.int32)),
        ]
    # per-order scalars for every supported nside
    orders = np.arange(0, 30)
    nsides = 2**orders
    arrays += [
        ("scalars/nside", nsides.astype(np.int64)),
        ("scalars/npix", np.array([hp.nside2npix(int(n)) for n in nsides], dtype=np.int64)),
        ("scalars/pixarea", np.array([hp.nside2pixarea(int(n)) for n in nsides])),
        ("scalars/resol", np.array([hp.nside2resol(int(n)) for n in nsides])),
        ("scalars/max_pixrad", np.array([hp.max_pixrad(int(n)) for n in nsides])),
    ]
    write_container(os.path.join(out, "pixels.hpxf.gz"), arrays)


# --------------------------------------------------------------------------------------------------------------------
# 2. random directions at nside 2^10, 2^20, 2^29
# --------------------------------------------------------------------------------------------------------------------

def random_directions(rng, n):
    """n directions (theta, phi) mixing uniform sky with the hard places of the pixelisation."""
    parts = []
    m = n * 6 // 10
    parts.append((np.arccos(rng.uniform(-1, 1, m)), rng.uniform(0, 2 * np.pi, m)))
    m = n // 10  # very close to the poles, where HEALPix switches to the sin(theta) formulation (theta < 0.01)
    t = 10.0 ** rng.uniform(-12, -1.5, m)
    t = np.where(rng.random(m) < 0.5, t, np.pi - t)
    parts.append((t, rng.uniform(0, 2 * np.pi, m)))
    m = n // 10  # either side of the polar-cap / equatorial-belt transition z = +-2/3, and of |z| = 0.99
    zb = rng.choice([2 / 3, -2 / 3, 0.99, -0.99], m)
    z = zb + rng.choice([-1, 1], m) * 10.0 ** rng.uniform(-16, -3, m)
    parts.append((np.arccos(np.clip(z, -1, 1)), rng.uniform(0, 2 * np.pi, m)))
    m = n // 10  # phi outside [0, 2pi) and on the face meridians k*pi/4
    ph = np.concatenate([rng.uniform(-20, 20, m // 2),
                         rng.integers(-16, 17, m - m // 2) * (np.pi / 4) + rng.choice([0, 0, 1e-15, -1e-15], m - m // 2)])
    parts.append((np.arccos(rng.uniform(-1, 1, m)), ph))
    m = n - sum(len(p[0]) for p in parts)  # exact pixel centres of assorted nsides, and the poles themselves
    pn = 2 ** rng.integers(0, 30, m)
    pp = (rng.random(m) * (12.0 * pn.astype(np.float64) ** 2)).astype(np.int64)
    pp = np.minimum(pp, 12 * pn * pn - 1)
    th, ph = hp.pix2ang(pn, pp)
    th[:4], ph[:4] = [0.0, np.pi, 0.0, np.pi], [0.0, 0.0, 1.0, 5.0]
    parts.append((th, ph))
    theta = np.concatenate([p[0] for p in parts])
    phi = np.concatenate([p[1] for p in parts])
    theta = np.clip(theta, 0.0, np.pi)
    order = rng.permutation(len(theta))
    return theta[order], phi[order]


def random_angles(rng, out, n=100_000):
    theta, phi = random_directions(rng, n)
    arrays = [("theta", theta), ("phi", phi), ("nsides", np.array(BIG_NSIDES, dtype=np.int64))]
    for nside in BIG_NSIDES:
        p = "n%d/" % nside
        ring = hp.ang2pix(nside, theta, phi)
        nest = hp.ang2pix(nside, theta, phi, nest=True)
        t_ring, p_ring = hp.pix2ang(nside, ring)
        t_nest, p_nest = hp.pix2ang(nside, nest, nest=True)
        arrays += [
            (p + "ang2pix_ring", ring), (p + "ang2pix_nest", nest),
            # ring2nest / nest2ring of the hits, XOR'd with the other hit (mostly equal, so nearly all zeros)
            (p + "ring2nest_of_ring_xor_nest", hp.ring2nest(nside, ring) ^ nest),
            (p + "nest2ring_of_nest_xor_ring", hp.nest2ring(nside, nest) ^ ring),
            (p + "pix2ang_ring/theta_xor_theta", xor_bits(t_ring, theta)),
            (p + "pix2ang_ring/phi_xor_phi", xor_bits(p_ring, phi)),
            (p + "pix2ang_nest/theta_xor_ring", xor_bits(t_nest, t_ring)),
            (p + "pix2ang_nest/phi_xor_ring", xor_bits(p_nest, p_ring)),
        ]
    write_container(os.path.join(out, "random-angles.hpxf.gz"), arrays)


def random_vectors(rng, out, n=20_000):
    v = rng.normal(size=(n, 3))
    scale = 10.0 ** rng.uniform(-3, 3, n)
    v *= scale[:, None]
    k = n // 5  # nearly polar vectors (|z| > 0.99 path) and exact axes
    v[:k, 0:2] *= 10.0 ** rng.uniform(-12, -1, (k, 1))
    axes = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 0], [-1, 0, 1e-300]])
    v[k:k + len(axes)] = axes
    nsides = [1, 64] + BIG_NSIDES
    arrays = [("vec", v), ("nsides", np.array(nsides, dtype=np.int64))]
    for nside in nsides:
        arrays += [("n%d/ring" % nside, hp.vec2pix(nside, v[:, 0], v[:, 1], v[:, 2])),
                   ("n%d/nest" % nside, hp.vec2pix(nside, v[:, 0], v[:, 1], v[:, 2], nest=True))]
    write_container(os.path.join(out, "random-vectors.hpxf.gz"), arrays)


# --------------------------------------------------------------------------------------------------------------------
# 3. neighbours and boundaries at high nside, with face edges and corners over-represented
# --------------------------------------------------------------------------------------------------------------------

def sample_pixels(rng, nside, n_random):
    """RING ids: random pixels plus every face's corner pixels and some pixels along each face edge."""
    x, y, f = [], [], []
    last = nside - 1
    for face in range(12):
        for cx, cy in ((0, 0), (0, last), (last, 0), (last, last)):
            x.append(cx); y.append(cy); f.append(face)
        for _ in range(6):
            t = int(rng.integers(0, nside))
            for cx, cy in ((t, 0), (t, last), (0, t), (last, t)):
                x.append(cx); y.append(cy); f.append(face)
    edge = hp.xyf2pix(nside, np.array(x), np.array(y), np.array(f))
    npix = hp.nside2npix(nside)
    rnd = (rng.random(n_random) * npix).astype(np.int64)
    pol = rng.integers(0, min(npix, 4 * nside * 4), n_random // 10)  # polar-cap rings
    return np.unique(np.concatenate([edge, rnd, pol, npix - 1 - pol])).astype(np.int64)


def neighbours_and_boundaries(rng, out):
    arrays = []
    nsides = [128, 1024, 2**20, 2**29]
    arrays.append(("neighbours/nsides", np.array(nsides, dtype=np.int64)))
    for nside in nsides:
        pix = sample_pixels(rng, nside, 4000)
        nest_pix = hp.ring2nest(nside, pix)
        p = "neighbours/n%d/" % nside
        arrays += [(p + "ring_pixel", pix), (p + "ring", hp.get_all_neighbours(nside, pix).T.copy()),
                   (p + "nest_pixel", nest_pix), (p + "nest", hp.get_all_neighbours(nside, nest_pix, nest=True).T.copy())]
    bnsides = [1, 2, 8, 64, 1024, 2**20, 2**29]
    arrays.append(("boundaries/nsides", np.array(bnsides, dtype=np.int64)))
    for nside in bnsides:
        pix = sample_pixels(rng, nside, 100) if nside > 2 else np.arange(hp.nside2npix(nside), dtype=np.int64)
        pix = pix[rng.permutation(len(pix))[:300]]
        pix.sort()
        for step in (1, 3):
            p = "boundaries/n%d/step%d/" % (nside, step)
            b_ring = hp.boundaries(nside, pix, step=step)  # (n, 3, 4*step)
            b_nest = hp.boundaries(nside, hp.ring2nest(nside, pix), step=step, nest=True)
            arrays += [(p + "ring_pixel", pix),
                       (p + "ring", np.transpose(b_ring, (0, 2, 1)).copy()),  # (n, 4*step, 3)
                       (p + "nest", np.transpose(b_nest, (0, 2, 1)).copy())]
    write_container(os.path.join(out, "neighbours-boundaries.hpxf.gz"), arrays)


# --------------------------------------------------------------------------------------------------------------------
# 4. disc queries
# --------------------------------------------------------------------------------------------------------------------

AMBIGUOUS = 1e-11  # rad: centres this close to the rim may fall either side depending on rounding


def angular_distance(a, c):
    """atan2(|a x c|, a . c), the formula Skymap uses; a: (n, 3) unit vectors, c: (3,) any length."""
    cr = np.cross(a, c)
    return np.arctan2(np.sqrt(np.sum(cr * cr, axis=1)), a @ c)


def flood_fill(nside, v, reach):
    """RING ids of all pixels whose centre lies within `reach` of v, grown from the pixel containing v."""
    start = int(hp.vec2pix(nside, *v))
    seen = {start}
    frontier = [start]
    while frontier:
        nb = np.unique(hp.get_all_neighbours(nside, np.array(frontier, dtype=np.int64)).ravel())
        nb = np.array([p for p in nb if p >= 0 and p not in seen], dtype=np.int64)
        if nb.size == 0:
            break
        seen.update(nb.tolist())
        d = angular_distance(np.stack(hp.pix2vec(nside, nb), axis=1), v)
        frontier = nb[d < reach].tolist()
    return np.array(sorted(seen), dtype=np.int64)


def disc_cases(rng):
    cases = []  # (nside, centre vector, radius, label)

    def add(nside, v, r, label):
        cases.append((int(nside), np.asarray(v, dtype=np.float64), float(r), label))

    def vec(theta, phi):
        return np.array([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])

    zb = np.arccos(2.0 / 3.0)
    for nside in (1, 2, 4, 8, 16, 64, 512, 1024):
        pr = hp.max_pixrad(nside)
        for r in (0.3 * pr, 1.5 * pr, 4 * pr):
            add(nside, [0, 0, 1], r, "north pole")
            add(nside, [0, 0, -1], r, "south pole")
            add(nside, vec(1e-4, 2.0), r, "near north pole")
            add(nside, vec(np.pi - 0.7 * pr, 5.5), r, "near south pole")
            add(nside, vec(1.1, 1e-3), r, "crossing phi=0")
            add(nside, vec(2.0, 2 * np.pi - 1e-3), r, "crossing phi=0")
            add(nside, vec(zb, rng.uniform(0, 2 * np.pi)), r, "z=+2/3")
            add(nside, vec(np.pi - zb, rng.uniform(0, 2 * np.pi)), r, "z=-2/3")
            add(nside, vec(np.arccos(rng.uniform(-1, 1)), rng.uniform(0, 2 * np.pi)), r, "random")
    for nside in (1, 4, 8, 64):  # large discs
        for r in (0.5, 1.2, 2.0, 3.0, np.pi - 1e-3, np.pi, 3.2):
            add(nside, vec(np.arccos(rng.uniform(-1, 1)), rng.uniform(0, 2 * np.pi)), r, "large")
        add(nside, [1, 0, 0], np.pi / 2, "hemisphere")
        add(nside, [0, 0, 1], np.pi / 2, "hemisphere")
    # the scanner's discs (SCANNER.md section 4): 8->64 with N=12 and 64->512 with N=24, centred on finer pixels
    for _ in range(12):
        p8 = int(rng.integers(0, hp.nside2npix(8)))
        add(8, hp.pix2vec(8, p8), np.sqrt(12 * hp.nside2pixarea(8) / np.pi), "scanner nside 8")
        p512 = int(rng.integers(0, hp.nside2npix(512)))
        add(8, hp.pix2vec(512, p512), np.sqrt(12 * hp.nside2pixarea(8) / np.pi), "scanner nside 8, fine centre")
        add(64, hp.pix2vec(512, p512), np.sqrt(24 * hp.nside2pixarea(64) / np.pi), "scanner nside 64")
    # unnormalised centres and high resolutions
    for nside in (2**16, 2**20, 2**26, 2**29):
        pr = hp.max_pixrad(nside)
        for r in (0.5 * pr, 3 * pr, 12 * pr):
            add(nside, 1e3 * vec(np.arccos(rng.uniform(-1, 1)), rng.uniform(0, 2 * np.pi)), r, "high nside")
            add(nside, vec(0.3 * pr, 1.0), r, "high nside near pole")
    add(4, np.array([np.sin(174 * np.pi / 180) * np.cos(np.pi / 4), np.sin(174 * np.pi / 180) * np.sin(np.pi / 4),
                     np.cos(174 * np.pi / 180)]), 9.9 * np.pi / 180, "healpy issue 968")
    return cases


def query_disc(rng, out):
    cases = disc_cases(rng)
    all_vectors = {}
    names = ("strict_ring", "ambiguous_ring", "healpy_ring", "healpy_nest", "healpy_ring_inclusive", "healpy_nest_inclusive")
    starts = {k: [] for k in names}
    ends = {k: [] for k in names}
    offsets = {k: [0] for k in names}
    for nside, v, r, label in cases:
        inc_fact = min(4, 2**29 // nside)
        res = {
            "healpy_ring": hp.query_disc(nside, v, r),
            "healpy_nest": hp.query_disc(nside, v, r, nest=True),
            "healpy_ring_inclusive": hp.query_disc(nside, v, r, inclusive=True, fact=inc_fact),
            "healpy_nest_inclusive": hp.query_disc(nside, v, r, inclusive=True, fact=inc_fact, nest=True),
        }
        # Brute force over candidates: every pixel when the map is small, else a flood fill over neighbours from the
        # pixel under the centre (healpy's own query_disc cannot serve: its cosines cannot resolve nanoradian discs).
        if hp.nside2npix(nside) <= 4 * 10**6:
            cand = np.arange(hp.nside2npix(nside), dtype=np.int64)
            if nside not in all_vectors:
                all_vectors[nside] = np.stack(hp.pix2vec(nside, cand), axis=1)
            vecs = all_vectors[nside]
        else:
            cand = flood_fill(nside, v, r + 2 * hp.max_pixrad(nside))
            vecs = np.stack(hp.pix2vec(nside, cand), axis=1)
        d = angular_distance(vecs, v)
        res["strict_ring"] = cand[d < r]
        res["ambiguous_ring"] = cand[np.abs(d - r) < AMBIGUOUS]
        for k in names:
            s, e = to_ranges(np.sort(np.asarray(res[k], dtype=np.int64)))
            starts[k].append(s)
            ends[k].append(e)
            offsets[k].append(offsets[k][-1] + len(s))
    arrays = [
        ("nside", np.array([c[0] for c in cases], dtype=np.int64)),
        ("centre", np.stack([c[1] for c in cases])),
        ("radius", np.array([c[2] for c in cases])),
        ("inclusive_fact", np.array([min(4, 2**29 // c[0]) for c in cases], dtype=np.int64)),
    ]
    for k in names:
        arrays += [(k + "/offsets", np.array(offsets[k], dtype=np.int64)),
                   (k + "/starts", np.concatenate(starts[k]).astype(np.int64)),
                   (k + "/ends", np.concatenate(ends[k]).astype(np.int64))]
    write_container(os.path.join(out, "query-disc.hpxf.gz"), arrays)
    with open(os.path.join(out, "query-disc-cases.txt"), "w") as f:
        f.write("# case index, nside, radius, label (row order of query-disc.hpxf.gz)\n")
        for i, (nside, v, r, label) in enumerate(cases):
            f.write("%d\t%d\t%.17g\t%s\n" % (i, nside, r, label))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    print("healpy", hp.__version__, "numpy", np.__version__)
    all_pixels(out)
    random_angles(np.random.default_rng(20240601), out)
    random_vectors(np.random.default_rng(20240602), out)
    neighbours_and_boundaries(np.random.default_rng(20240603), out)
    query_disc(np.random.default_rng(20240604), out)


if __name__ == "__main__":
    main()
