#!/usr/bin/python3
"""Generates the committed golden data in ../data (run once with Debian's /usr/bin/python3; not at test time).

- float_repr.txt: "<16 hex digits of IEEE bits> <Python repr>" for edge values and seeded random doubles.
- example_2_1.expected.json: FORMATS.md §2.1's example as Python's json.dump(indent=4) writes it.
"""
import json
import os
import random
import struct

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data")

values = [
    0.0, -0.0, 1.0, -1.0, 1500.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 0.5, 1e-05, 1.5e-05, 0.0001, 0.00011,
    9.999999999999999e-05, 2.5e+16, 1e+16, 9999999999999998.0, 1e+15, 123456789012345.67, 1e+22, 1e+23,
    5e-324, 2.2250738585072014e-308, 1.7976931348623157e+308, 500.123456789, 631.2784, 59921.437118,
    -212.4, 11203.6, 617.2258, 21190.25, 1e-07, 123.456, 100.0, 1e100, 1.2345678901234567e-300, 2.0 ** 53,
    2.0 ** 53 + 2, 0.1 + 0.2, 4.35, 1e21, 1e-4 * 3, 12345678901234567890.0, 3.14159, 299792458.0,
]
rng = random.Random(20250601)
for _ in range(3000):
    bits = rng.getrandbits(64)
    x = struct.unpack("<d", struct.pack("<Q", bits))[0]
    if x == x and abs(x) != float("inf"):
        values.append(x)
for _ in range(1000):
    values.append(rng.uniform(-1e6, 1e6))
    values.append(round(rng.uniform(0, 1e5), rng.randint(0, 8)))
    values.append(rng.uniform(0, 1) * 10 ** rng.randint(-8, 20))

with open(os.path.join(data, "float_repr.txt"), "w") as f:
    for x in values:
        f.write("%016x %s\n" % (struct.unpack("<Q", struct.pack("<d", x))[0], repr(x)))

nan = "<skyreader.nan>"
meta = lambda n: {"nside": n, "complete": True, "run_id": 137501, "event_id": 20453318,
                  "event_type": "GOLD", "mjd": 59921.437118, "is_real_event": True, "version": 1}
cols = ["index", "llh", "E_in", "E_tot", "X", "Y", "Z", "T"]
example = {
    "nside-8": {"columns": cols, "data": [
        [411, 631.2784, 20415.5, 24780.25, -212.4, 87.3, -140.9, 11203.6],
        [412, 618.5093, 21102.0, 25166.75, -208.9, 90.1, -137.2, 11198.4],
        [413, 627.0426, 20733.25, 24902.5, -210.7, 88.8, -139.5, 11201.1]], "metadata": meta(8)},
    "nside-64": {"columns": cols, "data": [
        [25311, 619.7402, 21034.5, 25090.0, -209.3, 89.6, -137.8, 11199.0],
        [25312, 617.2258, 21190.25, 25233.5, -208.4, 90.5, -136.9, 11198.1],
        [25313, nan, nan, nan, nan, nan, nan, nan]], "metadata": meta(64)},
}
with open(os.path.join(data, "example_2_1.expected.json"), "w") as f:
    json.dump(example, f, indent=4)
