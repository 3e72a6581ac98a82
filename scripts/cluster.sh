#!/usr/bin/env bash
# Runs CLUSTER_SIZE (3) instances of the service behind HAProxy, as a
# deployment behind a load balancer would, on this machine:
#   - every instance shares the one Postgres (DATABASE_URL) and Redis
#     (REDIS_URL) that make services provides, and the object store at
#     S3_ENDPOINT (a throwaway versitygw unless one answers there);
#   - instance i listens on 127.0.0.1:(CLUSTER_FIRST_PORT + i - 1), 8081 up,
#     and keeps its admin listener at that port plus 1011, as every instance
#     started with only HTTP_ADDR set does;
#   - HAProxy listens on CLUSTER_ADDR (127.0.0.1:8080) and spreads requests
#     round-robin over the instances that answer /healthz.
# Logs and the balancer's configuration are in ${TMPDIR:-/tmp}/artauction-services/cluster.
# It stays in the foreground; Ctrl-C stops the instances and the balancer
# (Postgres, Redis and the object store keep running; make stop-services stops them).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_SIZE="${CLUSTER_SIZE:-3}"
CLUSTER_ADDR="${CLUSTER_ADDR:-127.0.0.1:8080}"
CLUSTER_FIRST_PORT="${CLUSTER_FIRST_PORT:-8081}"
GO="${GO:-go}"
RUN_DIR="$SERVICES_DIR/cluster"

# The instances read these; every other setting of .env.example may be set too.
export IMAGE_STORE=s3
export S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:7070}"
export S3_ACCESS_KEY_ID="${S3_ACCESS_KEY_ID:-artauction}"
export S3_SECRET_ACCESS_KEY="${S3_SECRET_ACCESS_KEY:-artauction-dev-secret}"
export S3_FORCE_PATH_STYLE="${S3_FORCE_PATH_STYLE:-true}"
# The balancer is on loopback: its X-Forwarded-For names the client, whose
# address rate limits count. The instances listen on loopback only.
export TRUSTED_PROXIES=127.0.0.1
unset HTTP_ADDR ADMIN_ADDR

[[ "$CLUSTER_SIZE" =~ ^[1-9][0-9]?$ ]] || die "CLUSTER_SIZE must be a number from 1 to 99, got $CLUSTER_SIZE"
[[ "$CLUSTER_ADDR" =~ ^(.+):([0-9]+)$ ]] || die "CLUSTER_ADDR must be host:port, got $CLUSTER_ADDR"
BALANCER_HOST="${BASH_REMATCH[1]}" BALANCER_PORT="${BASH_REMATCH[2]}"

# http_status HOST PORT PATH prints the status code of a GET, or fails.
http_status() {
	local reply
	# shellcheck disable=SC2016 # expanded by the inner bash
	reply="$(with_timeout 3 bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" "$1" >&3
		head -c 64 <&3' _ "$1" "$2" "$3" 2>/dev/null)" || return 1
	[[ "$reply" =~ ^HTTP/[0-9.]+\ ([0-9]{3}) ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

# wait_ready NAME HOST PORT PATH PID waits until a GET of PATH answers 200.
wait_ready() {
	local name="$1" host="$2" port="$3" path="$4" pid="$5" log="$6" i
	for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
		[[ "$(http_status "$host" "$port" "$path" || true)" == 200 ]] && return 0
		kill -0 "$pid" 2>/dev/null || die "$name exited at start; see $log"
		sleep 0.1
	done
	die "$name did not answer $path within ${WAIT_SECONDS}s; see $log"
}

PIDS=()
stop_all() {
	trap - INT TERM EXIT
	local pid
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	log "cluster: stopped"
}

bash "$(dirname "${BASH_SOURCE[0]}")/ensure-objectstore.sh"
bash "$(dirname "${BASH_SOURCE[0]}")/ensure-haproxy.sh"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"

port_free "$BALANCER_HOST" "$BALANCER_PORT" || die "something listens on $CLUSTER_ADDR already"
for ((i = 0; i < CLUSTER_SIZE; i++)); do
	port=$((CLUSTER_FIRST_PORT + i))
	port_free 127.0.0.1 "$port" || die "port $port of instance $((i + 1)) is taken; set CLUSTER_FIRST_PORT"
	port_free 127.0.0.1 $((port + 1011)) || die "admin port $((port + 1011)) of instance $((i + 1)) is taken; set CLUSTER_FIRST_PORT"
done

mkdir -p "$RUN_DIR"
log "cluster: building the service"
"$GO" build -o "$RUN_DIR/artauction" ./cmd/artauction
# Migrations first, so that a failing one is told here rather than in N logs
# (the instances would migrate once anyway, under an advisory lock).
"$RUN_DIR/artauction" migrate >"$RUN_DIR/migrate.log" 2>&1 || die "migrations failed; see $RUN_DIR/migrate.log"

trap stop_all INT TERM EXIT
servers=""
for ((i = 1; i <= CLUSTER_SIZE; i++)); do
	port=$((CLUSTER_FIRST_PORT + i - 1))
	HTTP_ADDR="127.0.0.1:$port" "$RUN_DIR/artauction" >"$RUN_DIR/instance-$i.log" 2>&1 &
	PIDS+=($!)
	servers+="    server instance-$i 127.0.0.1:$port check"$'\n'
done
for ((i = 1; i <= CLUSTER_SIZE; i++)); do
	wait_ready "instance $i" 127.0.0.1 $((CLUSTER_FIRST_PORT + i - 1)) /readyz "${PIDS[i - 1]}" "$RUN_DIR/instance-$i.log"
done

cat >"$RUN_DIR/haproxy.cfg" <<CFG
# Written by scripts/cluster.sh.
global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 2m
    timeout server 2m
    # Live auction streams stay open; a heartbeat comes every 15 s at most.
    timeout tunnel 1h
    # A request refused by an instance that just died goes to another one.
    option redispatch
    retries 2
    # Tells the instances who the client is (they trust it from 127.0.0.1).
    option forwardfor

frontend api
    bind $CLUSTER_ADDR
    default_backend instances

backend instances
    balance roundrobin
    # /healthz, not /readyz: every dependency /readyz names is shared by all
    # instances, so taking them out for it would turn a degraded service into none.
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
    # Which instance answered, for people and tests to see the spread.
    http-response set-header X-Served-By %[srv_name]
$servers
CFG
"$HAPROXY" -c -q -f "$RUN_DIR/haproxy.cfg" || die "HAProxy refused $RUN_DIR/haproxy.cfg"
"$HAPROXY" -db -f "$RUN_DIR/haproxy.cfg" >"$RUN_DIR/haproxy.log" 2>&1 &
PIDS+=($!)
wait_ready HAProxy "$BALANCER_HOST" "$BALANCER_PORT" /healthz "${PIDS[-1]}" "$RUN_DIR/haproxy.log"

log ""
log "artauction cluster: http://$CLUSTER_ADDR"
for ((i = 1; i <= CLUSTER_SIZE; i++)); do
	port=$((CLUSTER_FIRST_PORT + i - 1))
	log "  instance $i: http://127.0.0.1:$port (admin 127.0.0.1:$((port + 1011)), log $RUN_DIR/instance-$i.log)"
done
log "  images: bucket ${S3_BUCKET:-artauction-images} at $S3_ENDPOINT; balancer: $RUN_DIR/haproxy.cfg"
log "Ctrl-C stops the instances and the balancer."

# Until Ctrl-C, or until the balancer stops; an instance that dies is only
# taken out of the rotation, as in production.
wait "${PIDS[-1]}"
