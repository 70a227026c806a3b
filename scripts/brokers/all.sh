#!/usr/bin/env bash
# Start / stop / check every broker stampede tests against, in one go:
#   RabbitMQ (STOMP 61613, STOMP+TLS 61614, Web-STOMP 15674)  -> scripts/brokers/rabbitmq.sh
#   ActiveMQ (STOMP 61623, STOMP+TLS 61624)                   -> scripts/brokers/activemq.sh
#
#   scripts/brokers/all.sh start|stop|restart|status
#
# Settings are the per-broker environment variables (RMQ_*, AMQ_*), passed through unchanged.
# `start` stops at the first broker that fails; `stop` and `status` try every broker and fail
# at the end if any of them failed.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BROKERS=(rabbitmq activemq)

cmd=${1:-}
case "$cmd" in
  start|restart)
    for b in "${BROKERS[@]}"; do "$DIR/$b.sh" "$cmd"; done
    ;;
  stop|status)
    rc=0
    for b in "${BROKERS[@]}"; do "$DIR/$b.sh" "$cmd" || rc=1; done
    exit "$rc"
    ;;
  *)
    echo "usage: $0 start|stop|restart|status" >&2
    exit 2
    ;;
esac
