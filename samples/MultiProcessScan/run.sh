#!/usr/bin/env bash
# A scan spread over N local worker processes (`--transport processes`): the server starts N `skymap worker --stdio`
# children and exchanges length-prefixed MessagePack frames with them over their pipes; a worker that dies is restarted
# and its task re-sent. The result is identical to the in-process scan with the same seed.
#
#   samples/MultiProcessScan/run.sh [WORKERS] [OUTPUT_DIR]
# Environment: EVENT (default builtin:track-10tev), RECO (default pandel_mpe), NSIDES (default "8:0 64:12"), SEED (default 1).
set -euo pipefail
WORKERS=${1:-2}
OUT=${2:-./multiprocess-scan-out}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$ROOT/samples/Skymap.Cli" -c Release -o "$ROOT/artifacts/skymap" -v quiet -nologo
dotnet "$ROOT/artifacts/skymap/skymap.dll" scan --event "${EVENT:-builtin:track-10tev}" --reco "${RECO:-pandel_mpe}" \
    --nsides "${NSIDES:-8:0 64:12}" --seed "${SEED:-1}" --transport processes --workers "$WORKERS" --output-dir "$OUT"
