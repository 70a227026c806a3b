# shellcheck shell=bash
# Shared helpers for stampede's scripts (deps.sh, brokers/*.sh). Source it, don't run it:
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# Needs bash, coreutils, util-linux (setsid, flock), iproute2 (ss), netcat-openbsd (nc) and openssl;
# the broker scripts install the last three when missing. Callers use `set -euo pipefail`.
# Targets a fresh Debian 12 machine, running as root, with no systemd.

# ---------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------

# Prefix for messages; callers may set LOG_TAG before sourcing/using.
: "${LOG_TAG:=stampede}"

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

# Print the last lines of one or more log files to stderr (for "fail loudly" paths).
log_tail() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    printf '[%s] ---- last 60 lines of %s ----\n' "$LOG_TAG" "$f" >&2
    tail -n 60 "$f" >&2 || true
  done
}

# Milliseconds since the epoch (for timing start/stop).
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------

# pkg_installed NAME -> 0 if the Debian package NAME is fully installed.
pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# apt_install_missing PKG... : install only those packages that are not installed yet.
# - runs `apt-get update` only when something is actually missing;
# - non-interactive (works with CI=true and no stdin), keeps existing config files;
# - no systemd here: while installing, a policy-rc.d that forbids starting services makes the
#   packages' maintainer scripts skip "start the daemon" (Debian's docker images already ship
#   one; if we have to create it, we remove it again afterwards).
apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    pkg_installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  [ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"

  local guard=/usr/sbin/policy-rc.d created_guard=0
  if [ ! -e "$guard" ]; then
    printf '#!/bin/sh\n# temporary, written by stampede scripts: do not start services on install\nexit 101\n' > "$guard"
    chmod 0755 "$guard"
    created_guard=1
  fi

  local rc=0
  {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null &&
    apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}" </dev/null >/dev/null
  } || rc=$?

  [ "$created_guard" -eq 1 ] && rm -f "$guard"
  [ "$rc" -eq 0 ] || die "apt-get failed (rc=$rc) installing: ${missing[*]}"
}

# ---------------------------------------------------------------------------------------------
# Processes (we only ever signal PIDs that we started and recorded in a pid file)
# ---------------------------------------------------------------------------------------------

# pid_from_file FILE -> prints the PID recorded in FILE (empty if none).
pid_from_file() {
  if [ -s "$1" ]; then tr -dc '0-9' < "$1"; fi
}

# pid_alive FILE -> 0 if FILE holds a PID of a running process (zombies count as dead).
pid_alive() {
  local pid stat
  pid=$(pid_from_file "$1")
  [ -n "$pid" ] || return 1
  # /proc/PID/stat is "PID (comm) STATE ..."; no procps needed
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}

# stop_pidfile FILE NAME [GRACE_SECONDS]: SIGTERM the recorded PID, wait up to GRACE seconds
# (default 30) for it to exit, then SIGKILL it. Removes FILE. No-op if not running.
stop_pidfile() {
  local file=$1 name=$2 grace=${3:-30} pid i
  if ! pid_alive "$file"; then
    rm -f "$file"
    return 0
  fi
  pid=$(pid_from_file "$file")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_alive "$file" || break
    sleep 0.1
  done
  if pid_alive "$file"; then
    log "$name (pid $pid) still alive after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$file"
}

# spawn PIDFILE LOGFILE CMD...: run CMD in the background in its own session (so it survives the
# caller's process group being killed, e.g. by a CI step timeout), stdout+stderr to LOGFILE.
# The process writes its own PID (it execs CMD, so the PID stays the same).
spawn() {
  local pidfile=$1 logfile=$2 i
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016  # $$ and $@ are for the inner bash
  # 9>&- : the daemon must not inherit with_lock's lock (it would hold it forever)
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" < /dev/null >> "$logfile" 2>&1 9>&- &
  for ((i = 0; i < 50; i++)); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "could not start: $*"
}

# with_lock DIR CMD...: run CMD holding an exclusive lock on DIR/.lock (fd 9), so that two
# start/stop invocations for the same broker (e.g. parallel test jobs) never interleave.
with_lock() {
  local dir=$1
  shift
  mkdir -p "$dir"
  exec 9> "$dir/.lock"
  flock -w 300 9 || die "could not lock $dir/.lock within 300s"
  "$@"
}

# ---------------------------------------------------------------------------------------------
# Ports and STOMP probes (127.0.0.1 only)
# ---------------------------------------------------------------------------------------------

# port_listening PORT -> 0 if something listens on PORT (any address). Needs ss (iproute2).
port_listening() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# wait_ports_closed SECONDS PORT...: wait until none of the ports is listening; 1 on timeout.
wait_ports_closed() {
  local secs=$1 i p busy
  shift
  for ((i = 0; i < secs * 10; i++)); do
    busy=0
    for p in "$@"; do port_listening "$p" && busy=1; done
    [ "$busy" -eq 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# The frames a probe sends: CONNECT, then DISCONNECT with a receipt, so that the broker answers
# CONNECTED + RECEIPT and then closes the connection itself (no client-side idle timeout needed).
# stomp_probe_frames VHOST [ACCEPT_VERSION]  (empty ACCEPT_VERSION = a STOMP 1.0 CONNECT)
stomp_probe_frames() {
  local vhost=$1 ver=${2:-}
  printf 'CONNECT\n'
  [ -n "$ver" ] && printf 'accept-version:%s\n' "$ver"
  printf 'host:%s\nlogin:%s\npasscode:%s\n\n\0' "$vhost" "${STOMP_LOGIN:-guest}" "${STOMP_PASSCODE:-guest}"
  printf 'DISCONNECT\nreceipt:probe\n\n\0'
}

# stomp_probe PORT VHOST [ACCEPT_VERSION]: raw STOMP over plain TCP; prints what the broker sent.
stomp_probe() {
  stomp_probe_frames "$2" "${3:-}" | timeout 5 nc -w 3 127.0.0.1 "$1" 2>/dev/null || true
}

# stomps_probe PORT CAFILE VHOST [ACCEPT_VERSION]: the same over TLS, verifying the server
# certificate against CAFILE and the name "localhost". Prints what the broker sent.
stomps_probe() {
  stomp_probe_frames "$3" "${4:-}" |
    timeout 8 openssl s_client -quiet -connect "127.0.0.1:$1" -servername localhost \
      -CAfile "$2" -verify_return_error -verify_hostname localhost 2>/dev/null || true
}

# stomp_ok PORT VHOST / stomps_ok PORT CAFILE VHOST -> 0 if the broker answered CONNECTED.
stomp_ok()  { stomp_probe "$1" "$2" 1.2 | grep -q '^CONNECTED'; }
stomps_ok() { stomps_probe "$1" "$2" "$3" 1.2 | grep -q '^CONNECTED'; }

# websocket_ok PORT PATH -> 0 if an HTTP/1.1 WebSocket upgrade on 127.0.0.1:PORT PATH gets a 101.
# Uses bash's /dev/tcp so that it needs neither curl nor a WebSocket client.
websocket_ok() {
  local port=$1 path=$2 fd line=''
  # (the braces matter: a bare `exec ... 2>/dev/null` would silence this shell's stderr for good)
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  # shellcheck disable=SC2261  # $fd is never 2
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v12.stomp\r\n\r\n' \
    "$path" "$port" >&"$fd" 2>/dev/null || true
  IFS= read -r -t 3 line <&"$fd" || true
  exec {fd}>&-
  [[ "$line" == "HTTP/1.1 101"* ]]
}

# ---------------------------------------------------------------------------------------------
# TLS material: a private self-signed CA and a server certificate for localhost / 127.0.0.1
# ---------------------------------------------------------------------------------------------

# tls_ensure_certs DIR: create DIR/ca.pem, DIR/ca-key.pem, DIR/server.pem, DIR/server-key.pem
# unless they already exist and are valid for at least another day. Test-only material: keys are
# unencrypted, the CA is trusted by nobody but the tests that are pointed at DIR/ca.pem.
tls_ensure_certs() {
  local dir=$1
  mkdir -p "$dir"
  if [ -s "$dir/ca.pem" ] && [ -s "$dir/server.pem" ] && [ -s "$dir/server-key.pem" ] &&
     openssl x509 -checkend 86400 -noout -in "$dir/server.pem" >/dev/null 2>&1 &&
     openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null 2>&1; then
    return 0
  fi
  log "generating self-signed CA + server certificate in $dir"
  local ext
  ext=$(mktemp)
  cat > "$ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
  (
    umask 077
    # CA (10 years; it is test-only and regenerated whenever something is off)
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
      -subj '/O=stampede tests/CN=stampede test CA' \
      -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
      -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
    # server key + CSR, signed by the CA
    openssl req -newkey rsa:2048 -nodes -sha256 -subj '/O=stampede tests/CN=localhost' \
      -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
      -CAcreateserial -days 825 -sha256 -extfile "$ext" -out "$dir/server.pem" 2>/dev/null
  ) || { rm -f "$ext"; die "openssl failed generating certificates in $dir"; }
  rm -f "$ext" "$dir/server.csr" "$dir/ca.srl"
  # The brokers may run as root, but keep the public parts world-readable for test clients.
  chmod 0644 "$dir/ca.pem" "$dir/server.pem"
  openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null || die "generated certificate does not verify"
}
