#!/usr/bin/env python3
"""Compare per-pixel -ln L of two scan result JSON files (skyreader layout).

Usage: compare-scan-llh.py BASELINE.json NEW.json [--tol 0.01]
For every (nside, pixel) present in both results it prints how much worse (new - baseline) the new llh is;
exits 1 if any pixel is worse by more than --tol. Pixels present in only one file are counted and reported.
"""
import json
import sys


def load(path):
    with open(path) as f:
        d = json.load(f)
    out = {}
    for key, block in d.items():
        if not key.startswith("nside-"):
            continue
        cols = block["columns"]
        i_idx, i_llh = cols.index("index"), cols.index("llh")
        for row in block["data"]:
            out[(int(key[6:]), int(row[i_idx]))] = float(row[i_llh])
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tol = 0.01
    if "--tol" in sys.argv:
        tol = float(sys.argv[sys.argv.index("--tol") + 1])
        args.remove(sys.argv[sys.argv.index("--tol") + 1])
    base, new = load(args[0]), load(args[1])
    common = sorted(set(base) & set(new))
    worse = [(new[k] - base[k], k) for k in common]
    worse.sort(reverse=True)
    n_bad = sum(1 for w, _ in worse if w > tol)
    better = sum(1 for w, _ in worse if w < -tol)
    print(f"common pixels {len(common)}, only-baseline {len(set(base) - set(new))}, only-new {len(set(new) - set(base))}")
    identical = sum(1 for k in common if base[k] == new[k])
    print(f"bit-identical llh: {identical} of {len(common)}; max |diff| {max((abs(w) for w, _ in worse), default=0.0):.3e}")
    print(f"worse by > {tol}: {n_bad}; better by > {tol}: {better}")
    print("largest worsening (new - baseline, nside, pixel):")
    for w, k in worse[:8]:
        print(f"  {w:+.6f}  {k}")
    bb = min(base.items(), key=lambda kv: kv[1])
    nb = min(new.items(), key=lambda kv: kv[1])
    print(f"best baseline {bb}, best new {nb}")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
