#!/usr/bin/env bash
# Starts a local PostgreSQL for the Skymap Driver's storage tests (idempotent).
#   - initialises a cluster in $SKYMAP_PG_DATA (default /var/tmp/skymap-postgres) owned by the postgres user
#   - starts it on 127.0.0.1:$SKYMAP_PG_PORT (default 5432) unless it already answers
#   - creates the role skymap (password skymap, CREATEDB: each test makes its own database) and the database skymap_test
# The tests connect with SKYMAP_TEST_POSTGRES or "Host=127.0.0.1;Port=5432;Username=skymap;Password=skymap;Database=skymap_test".
# Stop it with: su postgres -c "pg_ctl -D /var/tmp/skymap-postgres stop"
set -euo pipefail

DATA=${SKYMAP_PG_DATA:-/var/tmp/skymap-postgres}
PORT=${SKYMAP_PG_PORT:-5432}
TIMEOUT=${SKYMAP_PG_START_TIMEOUT:-60}

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; then
    echo "start-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi

# The server refuses to run as root: run its commands as the postgres user when we are root.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/bash -c "$*"
    else
        bash -c "$*"
    fi
}

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
    echo "start-postgres: a server already answers on 127.0.0.1:$PORT"
else
    if [ ! -f "$DATA/PG_VERSION" ]; then
        echo "start-postgres: initialising a cluster in $DATA"
        mkdir -p "$DATA"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
        chmod 700 "$DATA"
        as_pg "'$BIN/initdb' -D '$DATA' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null"
    fi
    mkdir -p /var/tmp/skymap-postgres-run
    [ "$(id -u)" = 0 ] && chown postgres:postgres /var/tmp/skymap-postgres-run
    echo "start-postgres: starting the server on 127.0.0.1:$PORT"
    as_pg "'$BIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -w -t $TIMEOUT -o \"-c listen_addresses=127.0.0.1 -p $PORT -k /var/tmp/skymap-postgres-run -c fsync=on\" start >/dev/null" || {
        echo "start-postgres: the server did not start" >&2
        tail -n 30 "$DATA/server.log" >&2 || true
        exit 1
    }
fi

deadline=$((SECONDS + TIMEOUT))
until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; do
    if [ $SECONDS -ge $deadline ]; then
        echo "start-postgres: the server did not answer within ${TIMEOUT}s" >&2
        exit 1
    fi
    sleep 1
done

# Role and database (idempotent). Local socket connections are trusted for the postgres user.
PSQL="$BIN/psql"
[ -x "$PSQL" ] || PSQL=$(command -v psql)
psql_pg() { as_pg "'$PSQL' -h /var/tmp/skymap-postgres-run -p $PORT -U postgres -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
if [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname = 'skymap'")" != 1 ]; then
    psql_pg "CREATE ROLE skymap LOGIN CREATEDB PASSWORD 'skymap'"
fi
if [ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname = 'skymap_test'")" != 1 ]; then
    psql_pg "CREATE DATABASE skymap_test OWNER skymap"
fi
echo "start-postgres: ready on 127.0.0.1:$PORT (role skymap, database skymap_test)"
