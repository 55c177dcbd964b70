"""Load check of a running Skymap Driver: while a scan runs, N concurrent clients (default 200) each send one
GET status / result / manifest request (in turn), for R rounds; prints the latency percentiles and the status counts.
None may be a 5xx.

usage: /usr/bin/python3 concurrent_requests.py BASE_URL USER_TOKEN [--clients 200] [--rounds 5] [--nsides "8:0 64:12"] [--sleep 0.01]
"""
import argparse
import collections
import json
import statistics
import threading
import time

import requests

p = argparse.ArgumentParser()
p.add_argument("base")
p.add_argument("token")
p.add_argument("--clients", type=int, default=200)
p.add_argument("--rounds", type=int, default=5)
p.add_argument("--nsides", default="8:0 64:12")
p.add_argument("--sleep", type=float, default=0.01, help="dummy reco seconds per pixel, to keep the scan running")
a = p.parse_args()
headers = {"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"}
nsides = {k: int(v) for k, v in (t.split(":") for t in a.nsides.split())}
m = requests.post(a.base + "/scan", headers=headers, data=json.dumps({
    "reco_algo": "dummy", "nsides": nsides, "real_or_simulated_event": "sim", "event_ref": "builtin:track-100tev",
    "max_pixel_reco_time": 60, "priority": 100, "reco_settings": {"sleep": a.sleep}})).json()
scan = m["scan_id"]
# Wait for a partial result that holds the first nside whole (the second one is being scanned).
wanted = f'"nside-{list(nsides)[-1]}"' if len(nsides) > 1 else '"nside-'
while wanted not in requests.get(f"{a.base}/scan/{scan}/result", headers=headers).text:
    time.sleep(0.2)

paths = [f"/scan/{scan}/status", f"/scan/{scan}/result", f"/scan/{scan}/manifest"]
latencies = collections.defaultdict(list)
codes = collections.Counter()
lock = threading.Lock()


def client(i, barrier):
    s = requests.Session()
    s.headers.update(headers)
    path = paths[i % 3]
    barrier.wait()
    t0 = time.perf_counter()
    try:
        r = s.get(a.base + path, timeout=120)
        code = r.status_code
        size = len(r.content)
    except requests.RequestException as e:
        code, size = type(e).__name__, 0
    dt = time.perf_counter() - t0
    with lock:
        latencies[path.rsplit("/", 1)[1]].append(dt)
        codes[code] += 1


for _ in range(a.rounds):
    barrier = threading.Barrier(a.clients)
    threads = [threading.Thread(target=client, args=(i, barrier)) for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

state = requests.get(f"{a.base}/scan/{scan}/status", headers=headers).json()["scan_state"]
result_size = len(requests.get(f"{a.base}/scan/{scan}/result", headers=headers).content)
everything = sorted(x for v in latencies.values() for x in v)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] * 1000


print(f"scan {scan}: state at the end {state}; result document {result_size} bytes")
print(f"{a.rounds} rounds x {a.clients} concurrent requests; status codes: {dict(codes)}")
for name, xs in sorted(latencies.items()):
    print(f"  {name:9s} n={len(xs):4d} p50={pct(xs, 0.5):7.1f} ms  p99={pct(xs, 0.99):7.1f} ms  max={max(xs) * 1000:7.1f} ms")
print(f"  {'all':9s} n={len(everything):4d} p50={pct(everything, 0.5):7.1f} ms  p99={pct(everything, 0.99):7.1f} ms")
bad = sum(c for k, c in codes.items() if not isinstance(k, int) or k >= 500)
raise SystemExit(1 if bad else 0)
