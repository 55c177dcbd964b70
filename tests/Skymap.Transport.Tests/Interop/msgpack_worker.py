#!/usr/bin/python3
"""A Skymap worker written against docs/wire-format.md alone, with Debian's python3-msgpack (no Skymap code).

Modes:
  worker --startup-json PATH [--concurrency N]
      A stdio worker as the multi-process transport starts it: sends the ready frame (length 0), then answers each
      PixelTask frame with a PixelResult frame until stdin ends. The "fit" is analytic so that a test can predict every
      bit of the reply: llh = zenith * 1000 + azimuth, e_in = -0.0, e_tot = a NaN with payload 0xDEADBEEF, the vertex,
      time and energy are the main seed's. A task whose startup_sha256 differs from the document's SHA-256 gets FAILED.
  encode-task JSON
      Writes one framed PixelTask built from a JSON object (the fields of docs/wire-format.md, by name) to stdout.
"""

import hashlib
import json
import os
import struct
import sys

import msgpack

WIRE_VERSION = 1
TASK_KEYS = ["wire_version", "scan_id", "nside", "pixel_id", "posvar_id", "reco_algo", "zenith", "azimuth", "ra", "dec",
             "seed", "fallback_seed", "attempt", "sent_time", "startup_sha256"]
SEED_KEYS = ["x", "y", "z", "t", "energy"]
STATUS_OK, STATUS_FAILED = 0, 1
NAN_DEADBEEF = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF))[0]


def read_exactly(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None if not data else sys.exit(f"stream ended inside a frame ({len(data)} of {n} bytes)")
        data += chunk
    return data


def read_frame(stream):
    header = read_exactly(stream, 4)
    if header is None:
        return None
    (length,) = struct.unpack("<I", header)
    return read_exactly(stream, length) if length else b""


def write_frame(stream, payload):
    stream.write(struct.pack("<I", len(payload)) + payload)
    stream.flush()


def decode_task(payload):
    m = msgpack.unpackb(payload, raw=False)
    if not isinstance(m, list) or not m or m[0] != WIRE_VERSION or len(m) != len(TASK_KEYS):
        raise ValueError(f"not a version-{WIRE_VERSION} PixelTask: {m!r}")
    task = dict(zip(TASK_KEYS, m))
    for key in ("seed", "fallback_seed"):
        if task[key] is not None:
            if len(task[key]) != len(SEED_KEYS):
                raise ValueError(f"{key} is not a seed of 5 keys")
            task[key] = dict(zip(SEED_KEYS, task[key]))
    if task["seed"] is None:
        raise ValueError("seed is nil")
    return task


def reply(task, worker_id, status, error, fit):
    llh, e_in, e_tot, x, y, z, t, energy = fit
    return msgpack.packb([WIRE_VERSION, task["scan_id"], task["nside"], task["pixel_id"], task["posvar_id"], status,
                          llh, e_in, e_tot, x, y, z, t, energy, 0.0, worker_id, task["attempt"], error, ""],
                         use_bin_type=True)


def worker(args):
    startup = args[args.index("--startup-json") + 1]
    with open(startup, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    worker_id = f"python:{os.getpid()}:0"
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    write_frame(stdout, b"")
    while (payload := read_frame(stdin)) is not None:
        task = decode_task(payload)
        if task["startup_sha256"] != sha:
            nan = float("nan")
            out = reply(task, worker_id, STATUS_FAILED, f"startup digest {task['startup_sha256']} is not {sha}", [nan] * 8)
        else:
            s = task["seed"]
            fit = [task["zenith"] * 1000.0 + task["azimuth"], -0.0, NAN_DEADBEEF, s["x"], s["y"], s["z"], s["t"], s["energy"]]
            out = reply(task, worker_id, STATUS_OK, "", fit)
        write_frame(stdout, out)


def encode_task(spec):
    t = json.loads(spec)
    seed = lambda s: None if s is None else [float(s[k]) for k in SEED_KEYS]
    values = dict(t, wire_version=WIRE_VERSION, seed=seed(t["seed"]), fallback_seed=seed(t.get("fallback_seed")))
    for key in ("zenith", "azimuth", "ra", "dec", "sent_time"):
        values[key] = float(values[key])
    write_frame(sys.stdout.buffer, msgpack.packb([values[k] for k in TASK_KEYS], use_bin_type=True))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "worker":
        worker(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "encode-task":
        encode_task(sys.argv[2])
    else:
        sys.exit(__doc__)
