"""The seed's two workflows against a Skymap Driver, exactly as a user's Python script sends them (SERVICE.md 2a):
requests with a static bearer token and Content-Type: application/json on every request; GET args in the query string
(booleans as True/False); other methods with a JSON body ({} when empty). Then a skyreader-like load of the result.

usage: seed_workflow.py BASE_URL TOKEN EVENT_JSON_FILE
Prints one JSON line with what it saw; exits non-zero on any failure."""
import json
import math
import sys
import time

import numpy as np
import requests

BASE, TOKEN, EVENT_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
session = requests.Session()
session.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})


def request(method, path, args=None):
    """RestClient.request_seq: GET args as query parameters, other methods a JSON body."""
    args = {k: v for k, v in (args or {}).items() if v is not None}
    if method in ("GET", "HEAD"):
        r = session.request(method, BASE + path, params=args, timeout=30)
    else:
        r = session.request(method, BASE + path, data=json.dumps(args), timeout=30)
    r.raise_for_status()
    return r.json() if r.content else None


with open(EVENT_FILE, encoding="utf-8") as f:
    event = json.load(f)

# Workflow 1: request a scan, monitor it, partial results, final result.
manifest = request("POST", "/scan", {
    "reco_algo": "dummy",
    "nsides": {"1": 0, "2": 1},
    "real_or_simulated_event": "real",
    "event_json": event,
    "max_pixel_reco_time": 1800,
    "docker_tag": "latest",
})
scan_id = manifest["scan_id"]
states = []
deadline = time.time() + 120
while True:
    status = request("GET", f"/scan/{scan_id}/status")
    if not states or states[-1] != status["scan_state"]:
        states.append(status["scan_state"])
    if status["scan_complete"]:
        break
    if time.time() > deadline:
        raise SystemExit(f"scan did not finish: {status}")
    time.sleep(0.2)

progress = request("GET", f"/scan/{scan_id}/manifest", {"projection": "progress|event_metadata"})
assert sorted(progress) == ["event_metadata", "progress"], sorted(progress)
result = request("GET", f"/scan/{scan_id}/result", {"include_deleted": True})
assert result["is_final"] is True

# Workflow 2: find the scan id for a run and event, then its manifest and result.
meta = progress["event_metadata"]
found = request("POST", "/scans/find", {
    "filter": {"event_metadata.run_id": meta["run_id"], "event_metadata.event_id": meta["event_id"], "event_metadata.is_real_event": True},
    "include_deleted": False,
    "manifest_projection": ["scan_id"],
})
found_ids = [m["scan_id"] for m in found["manifests"]]
assert found_ids == [scan_id], found_ids
again = request("GET", f"/scan/{found_ids[0]}/result")


# skyreader-like load: SkyScanResult.deserialize(result["skyscan_result"]).
def deserialize(doc):
    blocks = {}
    for key in doc:
        assert key.startswith("nside-"), key
        nside = int(key[len("nside-"):])
        block = doc[key]
        assert list(block) == ["columns", "data", "metadata"], list(block)
        md = block["metadata"]
        for k in ("run_id", "event_id", "mjd", "event_type", "nside"):
            assert k in md, k
        assert md["nside"] == nside
        assert block["columns"] == ["index", "llh", "E_in", "E_tot", "X", "Y", "Z", "T"], block["columns"]
        nan = "<skyreader.nan>"
        rows = [tuple(math.nan if c == nan else c for c in row) for row in block["data"]]
        dtype = [("index", np.uint64)] + [(c, np.float64) for c in block["columns"][1:]]
        blocks[nside] = (np.array(rows, dtype=dtype), md)
    return blocks


sky = deserialize(again["skyscan_result"])
finest = max(sky)
data, md = sky[finest]
best = data[np.nanargmin(data["llh"])]
summary = {
    "scan_id": scan_id,
    "states": states,
    "nsides": sorted(sky),
    "pixels": {str(n): len(sky[n][0]) for n in sky},
    "run_id": md["run_id"],
    "event_id": md["event_id"],
    "is_real_event": md["is_real_event"],
    "best_index": int(best["index"]),
    "best_llh": float(best["llh"]),
    "same_as_first_read": again == result,
}

# Errors: the reason is in the HTTPError a user sees.
errors = {}
for name, call in [
    ("unknown", lambda: request("GET", "/scan/0000000000x00000000000000000000/status")),
    ("missing", lambda: request("POST", "/scan", {"nsides": {"8": 0}})),
    ("xor", lambda: request("POST", "/scan", {"reco_algo": "dummy", "nsides": {"8": 0}, "real_or_simulated_event": "sim", "max_pixel_reco_time": 1})),
    ("completed", lambda: request("DELETE", f"/scan/{scan_id}")),
]:
    try:
        call()
        errors[name] = None
    except requests.HTTPError as e:
        errors[name] = str(e)
summary["errors"] = errors

deleted = request("DELETE", f"/scan/{scan_id}", {"delete_completed_scan": True})
summary["deleted"] = deleted["manifest"]["is_deleted"]
summary["found_after_delete"] = [m["scan_id"] for m in request("POST", "/scans/find", {"filter": {"run_id": meta["run_id"]}, "manifest_projection": ["scan_id"]})["manifests"]]
summary["result_include_deleted"] = request("GET", f"/scan/{scan_id}/result", {"include_deleted": True})["is_final"]
print(json.dumps(summary))
