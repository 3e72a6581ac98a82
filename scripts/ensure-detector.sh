#!/usr/bin/env bash
# Makes sure the project's object detector (detector/) answers at
# DETECTOR_ADDR [127.0.0.1:32168], and returns once it does:
#   1. Node.js 18 or newer and npm are used when present; else, as root on
#      Debian/Ubuntu, Debian's nodejs and npm are installed with apt-get; else
#      it stops, saying what to install.
#   2. detector/node_modules is installed with `npm ci` from the committed
#      lock file, unless it already was from the same lock file.
#   3. A detector answering at DETECTOR_ADDR is used as it is, unless this
#      script started it from other sources than the checkout's: that one is
#      restarted.
#   4. Else it starts one in the background (its log and pid in
#      ${TMPDIR:-/tmp}/artauction-services/detector-PORT) and waits for it.
# With --install-only it stops after step 2: the detector's own tests start
# their detectors themselves.
#
# Safe to run again and again, and from several runs at once.
# scripts/stop-services.sh stops what this script started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DETECTOR_DIR="$ROOT/detector"
DETECTOR_ADDR="${DETECTOR_ADDR:-127.0.0.1:32168}"
SERVICES_DIR="${TMPDIR:-/tmp}"
SERVICES_DIR="${SERVICES_DIR%/}/artauction-services"
NODE_MAJOR_MIN=18
WAIT_SECONDS=60

log() { printf 'detector: %s\n' "$*"; }
die() { printf 'ensure-detector: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

install_only=""
case "${1:-}" in
"") ;;
--install-only) install_only=1 ;;
*) die "usage: $0 [--install-only]" ;;
esac

[[ "$DETECTOR_ADDR" =~ ^(\[[^]]+\]|[^:]*):([0-9]+)$ ]] || die "DETECTOR_ADDR=$DETECTOR_ADDR: want host:port"
HOST="${BASH_REMATCH[1]:-127.0.0.1}"
PORT="${BASH_REMATCH[2]}"
URL="http://$HOST:$PORT"
STATE_DIR="$SERVICES_DIR/detector-$PORT"

# ------------------------------------------------------------------ Node.js

node_ok() {
	have node && have npm &&
		[[ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$NODE_MAJOR_MIN" ]]
}

if ! node_ok; then
	if [[ "$(id -u)" -eq 0 ]] && have apt-get; then
		log "installing Node.js and npm with apt-get (this takes a minute)"
		{
			DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
		} >/dev/null || die "apt-get install nodejs npm failed"
	fi
	node_ok || die "the detector needs Node.js $NODE_MAJOR_MIN or newer and npm; install them (Debian/Ubuntu: apt-get install nodejs npm) and run again"
fi

# Concurrent runs (make targets, test packages) wait for each other here.
mkdir -p "$SERVICES_DIR"
if have flock; then
	exec 9>"$SERVICES_DIR/.detector.lock"
	flock -w 300 9 || die "another run holds $SERVICES_DIR/.detector.lock"
fi

# ------------------------------------------------------------ npm packages

lock_digest="$(sha256sum "$DETECTOR_DIR/package-lock.json" | cut -d' ' -f1)"
stamp="$DETECTOR_DIR/node_modules/.installed-from-lock"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_digest" ]]; then
	log "installing its npm packages (npm ci)"
	(cd "$DETECTOR_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed in $DETECTOR_DIR"
	printf '%s\n' "$lock_digest" >"$stamp"
fi
[[ -z "$install_only" ]] || exit 0

# ---------------------------------------------------------------- process

# answers succeeds when the detector's health endpoint says it is ready.
answers() {
	node -e '
		fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
			.then(async (res) => process.exit(res.ok && (await res.json()).status === "ok" ? 0 : 1))
			.catch(() => process.exit(1));
	' "$URL/healthz"
}

# port_open succeeds when something accepts connections at the address.
port_open() {
	local host="${HOST#[}"
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "${host%]}" "$PORT" 2>/dev/null
}

started_pid() {
	local pid
	pid="$(cat "$STATE_DIR/pid" 2>/dev/null)" || return 1
	grep -q node "/proc/$pid/comm" 2>/dev/null && printf '%s\n' "$pid"
}

# The sources a started detector runs: a change to them restarts it.
build="$(cd "$DETECTOR_DIR" && cat package-lock.json src/*.js | sha256sum | cut -c1-16)"

if answers; then
	pid="$(started_pid)" || pid=""
	if [[ -z "$pid" || "$(cat "$STATE_DIR/build" 2>/dev/null)" == "$build" ]]; then
		log "answers on $URL"
		exit 0
	fi
	log "restarting the detector started from older sources (pid $pid)"
	kill -TERM "$pid"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && die "the old detector (pid $pid) did not stop"
fi
port_open && die "something at $DETECTOR_ADDR is not the detector; stop it or set DETECTOR_ADDR to a free address"

mkdir -p "$STATE_DIR"
# setsid: the detector outlives this script and a Ctrl-C in the terminal that ran it.
(cd "$DETECTOR_DIR" && DETECTOR_ADDR="$DETECTOR_ADDR" exec setsid node src/main.js \
	</dev/null >"$STATE_DIR/detector.log" 2>&1 9>&-) &
pid=$!
printf '%s\n' "$pid" >"$STATE_DIR/pid"
printf '%s\n' "$build" >"$STATE_DIR/build"

deadline=$((SECONDS + WAIT_SECONDS))
until answers; do
	kill -0 "$pid" 2>/dev/null || die "the detector stopped at start; its log, $STATE_DIR/detector.log, ends with:
$(tail -n 20 "$STATE_DIR/detector.log")"
	((SECONDS < deadline)) || die "the detector did not answer on $URL within ${WAIT_SECONDS}s; see $STATE_DIR/detector.log"
	sleep 0.2
done
log "started on $URL (pid $pid, log in $STATE_DIR/detector.log)"
