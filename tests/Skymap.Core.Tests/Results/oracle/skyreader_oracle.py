#!/usr/bin/python3
"""Outside oracle for Skymap's result files (FORMATS.md §2-§3).

Re-implements skyreader's SkyScanResult.deserialize / read_npz / serialize / to_npz (skyreader itself is
not installable here) with plain numpy, so that files written by Skymap are checked by numpy's own
np.load and Python's own json module.

Usage:
  skyreader_oracle.py dump FILE          load FILE (.json or .npz) as skyreader does; print a canonical dump
  skyreader_oracle.py to-json FILE OUT   load FILE, write OUT as skyreader's to_json (json.dump indent=4)
  skyreader_oracle.py to-npz FILE OUT    load FILE, write OUT as skyreader's to_npz (np.savez with header)

Canonical dump (compared by the C# tests): "version V", then per block "block KEY rows N",
"meta KEY=VALUE" lines in metadata order, "row v1 v2 ..." lines. Integers print as decimal, bools as
true/false, strings as s:<json>, floats as f:<16 hex digits of the IEEE bits> or nan.
Exit status 0 on success; 2 and a message on stderr when skyreader would reject the file.
"""

import json
import struct
import sys

import numpy as np

NAN_SENTINEL = "<skyreader.nan>"
PIXEL_TYPES = {
    0: np.dtype([("index", int), ("llh", float), ("E_in", float), ("E_tot", float)]),
    1: np.dtype([("index", int), ("llh", float), ("E_in", float), ("E_tot", float),
                 ("X", float), ("Y", float), ("Z", float), ("T", float)]),
}
MINIMAL_METADATA_FIELDS = "run_id event_id mjd event_type nside".split()


def parse_nside(key):
    return int(key.split("nside-")[1])


def from_json_friendly(v):
    return np.nan if isinstance(v, str) and v == NAN_SENTINEL else v


def to_json_friendly(v):
    return NAN_SENTINEL if isinstance(v, float) and np.isnan(v) else v


def deserialize(pydict):
    """skyreader.result.SkyScanResult.deserialize"""
    result = {}
    for nside, block in pydict.items():
        metadata = block["metadata"]
        pixel_type = PIXEL_TYPES[metadata.get("version", 0)]
        if set(block.keys()) != {"columns", "metadata", "data"}:
            raise ValueError(f"extra/missing keys: {block.keys()}")
        if block["columns"] != list(pixel_type.names):
            raise ValueError(f"invalid columns {block['columns']}")
        if metadata["nside"] != parse_nside(nside):
            raise ValueError("incorrect metadata.nside")
        metadata = {k: from_json_friendly(v) for k, v in metadata.items()}
        arr = np.zeros(len(block["data"]), dtype=np.dtype(pixel_type, metadata=metadata))
        for i, row in enumerate(sorted(block["data"], key=lambda x: x[0])):
            arr[i] = tuple(from_json_friendly(v) for v in row)
        result[nside] = arr
    return validate(result)


def read_npz(path):
    """skyreader.result.SkyScanResult.read_npz"""
    npz = np.load(path)
    result = {}
    if "header" not in npz:
        for key in npz.keys():
            result[key] = npz[key]
    else:
        h = npz["header"]
        for v in h:
            key = f"nside-{v['nside']}"
            dt = np.dtype(npz[key].dtype, metadata={k: value for k, value in zip(h.dtype.fields.keys(), v)})
            result[key] = np.array(list(npz[key]), dtype=dt)
    return validate(result)


def validate(result):
    """SkyScanResult.__init__ (+ EventMetadata.__post_init__ via get_event_metadata)."""
    has_minimal = len(result) > 0 and all(
        a.dtype.metadata is not None and all(k in a.dtype.metadata for k in MINIMAL_METADATA_FIELDS)
        for a in result.values())
    version = 0
    if has_minimal:
        first = next(iter(result.values())).dtype.metadata
        version = first.get("version", 0)
        if first.get("is_real_event", False) and not (1e5 <= first["run_id"] < 1e6):
            raise ValueError("run id out of range for a real event")
    for key, arr in result.items():
        parse_nside(key)
        if arr.dtype != PIXEL_TYPES[version]:
            raise ValueError(f"{key}: invalid dtype {arr.dtype}, should be {PIXEL_TYPES[version]}")
    return result, version


def serialize(result):
    """SkyScanResult.serialize without pandas: split orient, NaN -> sentinel, numpy -> builtins."""
    pydict = {}
    for key, arr in result.items():
        names = list(arr.dtype.names)
        data = [[to_json_friendly(v) for v in row.tolist()] for row in arr]
        meta = {}
        for k, v in arr.dtype.metadata.items():
            if isinstance(v, np.generic):
                v = v.item()
            meta[k] = to_json_friendly(v)
        pydict[key] = {"columns": names, "data": data, "metadata": meta}
    return pydict


def to_npz(result, out):
    """SkyScanResult.to_npz"""
    first = next(iter(result.values()))
    metadata_dtype = np.dtype([(k, type(v)) if not isinstance(v, str) else (k, f"U{len(v)}")
                               for k, v in first.dtype.metadata.items()])
    header = np.array([tuple(result[k].dtype.metadata[mk] for mk in metadata_dtype.fields) for k in result],
                      dtype=metadata_dtype)
    with open(out, "wb") as f:
        np.savez(f, header=header, **result)


def canon(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if v != v else "f:%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]
    if isinstance(v, str):
        return "s:" + json.dumps(v)
    raise TypeError(f"unexpected value {v!r}")


def dump(result, version):
    lines = [f"version {version}"]
    for key in sorted(result, key=parse_nside):
        arr = result[key]
        lines.append(f"block {key} rows {len(arr)}")
        for k, v in (arr.dtype.metadata or {}).items():
            lines.append(f"meta {k}={canon(v)}")
        for row in arr:
            lines.append("row " + " ".join(canon(v) for v in row.tolist()))
    return "\n".join(lines) + "\n"


def load(path):
    if path.endswith(".json"):
        with open(path) as f:
            return deserialize(json.load(f))
    return read_npz(path)


def main(argv):
    try:
        result, version = load(argv[2])
    except (ValueError, KeyError, IndexError, TypeError) as e:
        print(f"rejected: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if argv[1] == "dump":
        sys.stdout.write(dump(result, version))
    elif argv[1] == "to-json":
        with open(argv[3], "w") as f:
            json.dump(serialize(result), f, indent=4)
    elif argv[1] == "to-npz":
        to_npz(result, argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
