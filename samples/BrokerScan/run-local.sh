#!/usr/bin/env bash
# A dummy scan through RabbitMQ on this machine: one server and N worker processes against the local broker.
#
#   samples/BrokerScan/run-local.sh [WORKERS] [OUTPUT_DIR]
#
# Starts the broker if needed (.ci/start-rabbitmq.sh), builds the skymap CLI, starts `skymap scan --transport
# rabbitmq`, then N `skymap worker --transport rabbitmq` processes that read the scan's startup.json. Workers end by
# themselves when the scan deletes its queues. Logs: OUTPUT_DIR/server.log, OUTPUT_DIR/worker-N.log.
# Environment: SKYMAP_BROKER_ADDRESS (default amqp://localhost:5672/), SKYMAP_BROKER_AUTH (user:password, default guest),
# EVENT (default builtin:oscnext-genie-0), RECO (default dummy), NSIDES (default "1:0 2:12 4:12"), SEED (default 1).
set -euo pipefail

WORKERS=${1:-2}
OUT=$(realpath -m "${2:-./broker-scan-out}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EVENT=${EVENT:-builtin:oscnext-genie-0}
RECO=${RECO:-dummy}
NSIDES=${NSIDES:-1:0 2:12 4:12}
SEED=${SEED:-1}
export SKYMAP_BROKER_ADDRESS=${SKYMAP_BROKER_ADDRESS:-amqp://localhost:5672/}

if [[ "$SKYMAP_BROKER_ADDRESS" == amqp://localhost* || "$SKYMAP_BROKER_ADDRESS" == amqp://127.0.0.1* ]]; then
    "$ROOT/.ci/start-rabbitmq.sh"
fi

dotnet build "$ROOT/samples/Skymap.Cli" -c Release -o "$ROOT/artifacts/skymap" -v quiet -nologo
SKYMAP=(dotnet "$ROOT/artifacts/skymap/skymap.dll")

mkdir -p "$OUT"
rm -f "$OUT/startup.json"   # a stale document would send workers to a finished scan

echo "server: ${SKYMAP[*]} scan --transport rabbitmq --output-dir $OUT"
"${SKYMAP[@]}" scan --event "$EVENT" --reco "$RECO" --nsides "$NSIDES" --seed "$SEED" \
    --transport rabbitmq --output-dir "$OUT" --verbose >"$OUT/server.log" 2>&1 &
SERVER=$!

pids=()
for i in $(seq 1 "$WORKERS"); do
    # Each worker waits (up to 60 s) for startup.json to appear, then consumes the scan's task queue.
    "${SKYMAP[@]}" worker --transport rabbitmq --startup-json "$OUT/startup.json" \
        --first-message-timeout 600 --idle-timeout 120 >"$OUT/worker-$i.log" 2>&1 &
    pids+=($!)
done
echo "workers: ${pids[*]} (logs in $OUT)"

status=0
wait "$SERVER" || status=$?
for p in "${pids[@]}"; do wait "$p" || true; done
echo "server exit code $status; results in $OUT"
tail -n 5 "$OUT/server.log"
exit "$status"
