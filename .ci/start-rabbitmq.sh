#!/usr/bin/env bash
# Starts a local single-node RabbitMQ for Skymap's broker tests (idempotent).
#   - installs /etc/rabbitmq/rabbitmq.conf (consumer_timeout 2 h, guest allowed on loopback)
#   - starts the node detached unless it already runs
#   - waits until `rabbitmqctl await_startup` succeeds
# Stop it with `rabbitmqctl stop` (the init script can hang in containers).
set -euo pipefail

CONF_DIR=${RABBITMQ_CONF_DIR:-/etc/rabbitmq}
TIMEOUT=${RABBITMQ_START_TIMEOUT:-120}
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if ! command -v rabbitmqctl >/dev/null 2>&1; then
    echo "start-rabbitmq: rabbitmq-server is not installed (apt-get install rabbitmq-server)" >&2
    exit 1
fi

$SUDO mkdir -p "$CONF_DIR"
$SUDO tee "$CONF_DIR/rabbitmq.conf" >/dev/null <<'CONF'
# Skymap test broker (written by .ci/start-rabbitmq.sh)
listeners.tcp.default = 5672
loopback_users.guest = true
# Must exceed the longest task timeout (SCANNER.md §9): 2 h.
consumer_timeout = 7200000
heartbeat = 60
# Disk alarms on a small CI disk should not block publishers.
disk_free_limit.absolute = 50MB
CONF

if $SUDO rabbitmqctl -q ping >/dev/null 2>&1; then
    echo "start-rabbitmq: node already running"
    # The Erlang node may be up with the RabbitMQ application stopped (after `rabbitmqctl stop_app`).
    if ! $SUDO rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
        $SUDO rabbitmqctl -q start_app
    fi
else
    echo "start-rabbitmq: starting rabbitmq-server"
    $SUDO rabbitmq-server -detached
fi

# await_startup fails immediately while the Erlang VM is not yet reachable, so retry until the deadline.
deadline=$((SECONDS + TIMEOUT))
until $SUDO rabbitmqctl -q await_startup --timeout 30 >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
        echo "start-rabbitmq: broker did not start within ${TIMEOUT}s" >&2
        tail -n 50 /var/log/rabbitmq/*.log 2>/dev/null >&2 || true
        exit 1
    fi
    sleep 1
done
echo "start-rabbitmq: broker ready on amqp://localhost:5672/"
