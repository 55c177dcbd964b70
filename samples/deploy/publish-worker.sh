#!/usr/bin/env bash
# Self-contained, single-file `skymap` for Linux x64: no .NET install needed on the worker nodes.
#   samples/deploy/publish-worker.sh [OUTPUT_DIR]    (default artifacts/skymap-linux-x64)
# The same binary is the server (`skymap scan`) and the worker (`skymap worker`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/artifacts/skymap-linux-x64}
dotnet publish "$ROOT/samples/Skymap.Cli" -c Release -r linux-x64 --self-contained true \
    -p:PublishSingleFile=true \
    -p:InvariantGlobalization=true \
    -p:DebugType=none \
    -o "$OUT"
"$OUT/skymap" --help >/dev/null
echo "published $OUT/skymap ($(du -h "$OUT/skymap" | cut -f1))"
