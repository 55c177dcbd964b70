#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU (driver installed; the CUDA toolkit is optional: with CUDA_HOME set,
# ILGPU uses NVIDIA's libdevice for log/exp). One prepared run, under 5 minutes:
#   1. publish the CLI self-contained for linux-x64 (not trimmed),
#   2. skymap devices,
#   3. skymap bench kernels (DOM-evaluations/s and fits/s per backend),
#   4. a full default scan of builtin:track-100tev with pandel_mpe, --kernel ilgpu and --kernel simd,
#   5. skymap compare of the two results, and a per-pixel check (relative llh difference, best pixel).
# Usage: benchmarks/gpu-check.sh [work-dir]   (default: $OUT when set, else a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-${OUT:-$(mktemp -d)}}"
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
t0=$SECONDS
step() { echo; echo "== $* ($((SECONDS - t0)) s)"; }

step "publish (self-contained linux-x64, not trimmed)"
dotnet publish samples/Skymap.Cli/Skymap.Cli.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishTrimmed=false -o "$work/cli" >"$work/publish.log" 2>&1 || { tail -30 "$work/publish.log"; exit 1; }
skymap="$work/cli/skymap"

step "skymap devices"
"$skymap" devices | tee "$work/devices.txt"
if ! grep -q "CUDA" "$work/devices.txt"; then
  echo "gpu-check: no CUDA device listed; the ilgpu scan would fail" >&2
  exit 3
fi

step "skymap bench kernels"
"$skymap" bench kernels --seconds 1 --fits 512 --backends scalar,simd,ilgpu | tee "$work/bench-kernels.txt"

scan() { # kernel
  local dir="$work/scan-$1" s=$SECONDS
  rm -rf "$dir"
  "$skymap" scan --event builtin:track-100tev --reco pandel_mpe --seed 1 --kernel "$1" --output-dir "$dir" >"$work/scan-$1.log" 2>&1 \
    || { tail -20 "$work/scan-$1.log"; exit 1; }
  echo "scan --kernel $1: $((SECONDS - s)) s wall"
  tail -5 "$work/scan-$1.log"
}

step "full default scan, --kernel ilgpu"
scan ilgpu
step "full default scan, --kernel simd"
scan simd

step "compare"
a=$(ls "$work"/scan-ilgpu/*.npz | head -1)
b=$(ls "$work"/scan-simd/*.npz | head -1)
"$skymap" compare "$a" "$b" || echo "(skymap compare reported differences)"
if python3 -c "import numpy" 2>/dev/null; then python3 - "$a" "$b" <<'PY'
import sys, numpy as np
def load(p):
    z = np.load(p, allow_pickle=True)
    out = {}
    for k in z.files:
        arr = z[k]
        if arr.dtype.names and "llh" in arr.dtype.names and "index" in arr.dtype.names:
            for row in arr:
                out[(k, int(row["index"]))] = float(row["llh"])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
common = sorted(set(a) & set(b))
rel = [abs(a[k] - b[k]) / abs(b[k]) for k in common if np.isfinite(a[k]) and np.isfinite(b[k]) and b[k] != 0]
ba, bb = min(a, key=a.get), min(b, key=b.get)
print(f"pixels: ilgpu {len(a)}, simd {len(b)}, common {len(common)}; worst relative llh difference {max(rel) if rel else float('nan'):.2e}; "
      f"best pixel ilgpu {ba} simd {bb} ({'same' if ba == bb else 'DIFFERENT'})")
PY
else echo "(no python3 numpy: per-pixel check skipped)"; fi

step "done in $((SECONDS - t0)) s"
