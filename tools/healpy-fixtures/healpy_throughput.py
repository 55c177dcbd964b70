#!/usr/bin/python3
"""healpy's vectorised ang2pix / pix2ang throughput (million operations per second) on this machine.

Same workload as benchmarks/Skymap.Benchmarks/HealpixBenchmarks.cs: 2^20 random directions (uniform on the sphere) or
pixels, RING and NEST, at nside 1024 and 2^20. Reports the best of several calls on the whole 2^20 arrays, and the best
of many calls on 2^14-element slices (short enough to run undisturbed on a busy machine).

    /usr/bin/python3 tools/healpy-fixtures/healpy_throughput.py
"""

import time

import healpy as hp
import numpy as np

N = 1 << 20
CHUNK = 1 << 14


def best_rate(fn, n, repeats):
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best / 1e6


def main():
    rng = np.random.default_rng(42)
    theta = np.arccos(rng.uniform(-1, 1, N))
    phi = rng.uniform(0, 2 * np.pi, N)
    print("healpy %s, numpy %s" % (hp.__version__, np.__version__))
    print("%-8s %-5s %-8s %16s %18s" % ("op", "order", "nside", "2^20 M ops/s", "2^14-slice M ops/s"))
    t, f = theta[:CHUNK], phi[:CHUNK]
    for nside in (1024, 1 << 20):
        pix = (rng.random(N) * hp.nside2npix(nside)).astype(np.int64)
        p = pix[:CHUNK]
        for nest in (False, True):
            scheme = "NEST" if nest else "RING"
            full = best_rate(lambda: hp.ang2pix(nside, theta, phi, nest=nest), N, 15)
            part = best_rate(lambda: hp.ang2pix(nside, t, f, nest=nest), CHUNK, 400)
            print("%-8s %-5s %-8d %16.1f %18.1f" % ("ang2pix", scheme, nside, full, part))
            full = best_rate(lambda: hp.pix2ang(nside, pix, nest=nest), N, 15)
            part = best_rate(lambda: hp.pix2ang(nside, p, nest=nest), CHUNK, 400)
            print("%-8s %-5s %-8d %16.1f %18.1f" % ("pix2ang", scheme, nside, full, part))

if __name__ == "__main__":
    main()
