#!/usr/bin/python3
"""healpy's vectorised ang2pix / pix2ang throughput (million operations per second) on this machine.

Same workload as benchmarks/Skymap.Benchmarks/HealpixBenchmarks.cs: 2^20 random directions (uniform on the sphere) or
pixels, RING and NEST, at nside 1024 and 2^20. Reports the best of several repetitions.

    /usr/bin/python3 tools/healpy-fixtures/healpy_throughput.py
"""

import time

import healpy as hp
import numpy as np

N = 1 << 20
REPEATS = 7


def best_rate(fn):
    fn()  # warm-up
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return N / best / 1e6


def main():
    rng = np.random.default_rng(42)
    theta = np.arccos(rng.uniform(-1, 1, N))
    phi = rng.uniform(0, 2 * np.pi, N)
    print("healpy %s, numpy %s, %d elements per call" % (hp.__version__, np.__version__, N))
    print("%-8s %-5s %-8s %10s" % ("op", "order", "nside", "M ops/s"))
    for nside in (1024, 1 << 20):
        pix = (rng.random(N) * hp.nside2npix(nside)).astype(np.int64)
        for nest in (False, True):
            scheme = "NEST" if nest else "RING"
            r = best_rate(lambda: hp.ang2pix(nside, theta, phi, nest=nest))
            print("%-8s %-5s %-8d %10.1f" % ("ang2pix", scheme, nside, r))
            r = best_rate(lambda: hp.pix2ang(nside, pix, nest=nest))
            print("%-8s %-5s %-8d %10.1f" % ("pix2ang", scheme, nside, r))


if __name__ == "__main__":
    main()
