#!/bin/sh
# Batch-job entry point for a RabbitMQ worker (HTCondor, Slurm, ...). Expects in the job's directory:
#   skymap        the self-contained binary (publish-worker.sh)
#   startup.json  the scan's startup document (written by `skymap scan` into its --output-dir)
#   broker-auth   one line "user:password" (kept out of the job description; never logged)
# and SKYMAP_BROKER_ADDRESS in the environment. Extra arguments are passed to `skymap worker`.
set -eu
if [ -r broker-auth ]; then
    SKYMAP_BROKER_AUTH=$(cat broker-auth)
    export SKYMAP_BROKER_AUTH
fi
chmod +x ./skymap
exec ./skymap worker --transport rabbitmq --startup-json startup.json "$@"
