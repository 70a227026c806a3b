#!/usr/bin/env bash
# Install the Debian packages that stampede's test suite needs, besides the brokers themselves
# (those are installed by scripts/brokers/*.sh). Idempotent: does nothing, not even
# `apt-get update`, when everything is already installed. Non-interactive (CI=true, no stdin).
#
# Usage: scripts/deps.sh            (as root on Debian 12)
set -euo pipefail

# The packages, one place to edit:
#   netcat-openbsd  raw STOMP frames from shell tests / broker health checks (nc)
#   openssl         TLS test certificates and `openssl s_client` checks
#   tmux            driving interactive terminal programs in tests
#   python3-stomp   an independent STOMP client (stomp.py) for cross-checking the Go client
DEPS_PACKAGES="netcat-openbsd openssl tmux python3-stomp"

export LOG_TAG=deps
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# shellcheck disable=SC2086  # word splitting of the list is intended
apt_install_missing $DEPS_PACKAGES
log "ok: $DEPS_PACKAGES"
