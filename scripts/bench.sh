#!/usr/bin/env bash
# `make bench`: stampede side by side with go-stomp and stomp.py, written to bench/RESULTS.md
# and bench/charts/*.svg by bench/cmd/compare (see bench/doc.go).
#
#   scripts/bench.sh [compare flags]     e.g. scripts/bench.sh -only fanout -runs 1 -out /tmp/f.md
#
# Installs what is missing (python3-stomp through scripts/deps.sh, RabbitMQ through
# scripts/brokers/rabbitmq.sh), starts RabbitMQ if it is not running and stops it again at the
# end if this script started it. The embedded broker is built and run by the bench command.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
started=0
if ! scripts/brokers/rabbitmq.sh status >/dev/null 2>&1; then
  scripts/brokers/rabbitmq.sh start
  started=1
fi
if [ "$started" = 1 ]; then
  trap 'scripts/brokers/rabbitmq.sh stop' EXIT
fi

# 10,000 connections per process need the soft file limit at the hard one.
ulimit -n "$(ulimit -Hn)"
echo "bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
cd bench
time go run ./cmd/compare "$@"
