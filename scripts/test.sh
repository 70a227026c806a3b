#!/usr/bin/env bash
# The whole test run, as CI does it on a fresh Debian machine (root):
# install what is missing, start the brokers on loopback, lint, run every
# unit test and spec with the race detector, and stop the brokers again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
scripts/brokers/all.sh start
trap 'scripts/brokers/all.sh stop' EXIT

make lint
go test -race -count=1 -timeout 60m ./...
# The comparison benchmarks are a module of their own (they pull in
# go-stomp): vet them and run their unit tests, not the benchmarks.
(cd bench && go vet ./... && go test -count=1 ./...)
