#!/usr/bin/env bash
# Stops the throwaway PostgreSQL, Redis, object store and detector servers that
# scripts/ensure-services.sh, scripts/ensure-objectstore.sh and
# scripts/ensure-detector.sh started in ${TMPDIR:-/tmp}/artauction-services.
# Servers they did not start are left alone. With --purge, their data
# directories are deleted too.
set -euo pipefail

SERVICES_DIR="${TMPDIR:-/tmp}"
SERVICES_DIR="${SERVICES_DIR%/}/artauction-services"
PURGE=""

case "${1:-}" in
"") ;;
--purge) PURGE=1 ;;
*)
	echo "usage: $0 [--purge]" >&2
	exit 2
	;;
esac

if [[ ! -d "$SERVICES_DIR" ]]; then
	echo "nothing to stop: $SERVICES_DIR does not exist"
	exit 0
fi

shopt -s nullglob

for root in "$SERVICES_DIR"/postgres-*/; do
	root="${root%/}"
	data="$root/data"
	if [[ -f "$data/postmaster.pid" && -f "$root/bindir" ]]; then
		pg_ctl="$(cat "$root/bindir")/pg_ctl"
		owner="$(stat -c %U "$data")"
		if [[ "$(id -u)" -eq 0 && "$owner" != root ]]; then
			(cd "$root" && runuser -u "$owner" -- "$pg_ctl" -D "$data" -m fast -w stop >/dev/null)
		else
			"$pg_ctl" -D "$data" -m fast -w stop >/dev/null
		fi
		echo "postgres: stopped the server in $data"
	fi
	if [[ -n "$PURGE" ]]; then
		rm -rf "$root"
		echo "postgres: removed $root"
	fi
done

# stop_by_pidfile NAME GLOB PIDFILE COMMAND: stops each server under GLOB whose
# pid file names a live process running COMMAND, then purges its directory.
stop_by_pidfile() {
	local name="$1" glob="$2" pidfile_name="$3" command="$4" root pidfile pid
	for root in "$SERVICES_DIR"/$glob/; do
		root="${root%/}"
		pidfile="$root/$pidfile_name"
		if [[ -f "$pidfile" ]]; then
			pid="$(cat "$pidfile")"
			if [[ "$pid" =~ ^[0-9]+$ ]] && grep -q "$command" "/proc/$pid/comm" 2>/dev/null; then
				kill "$pid"
				for _ in $(seq 1 40); do
					kill -0 "$pid" 2>/dev/null || break
					sleep 0.25
				done
				echo "$name: stopped the server in $root (pid $pid)"
			fi
			rm -f "$pidfile"
		fi
		if [[ -n "$PURGE" ]]; then
			rm -rf "$root"
			echo "$name: removed $root"
		fi
	done
}

stop_by_pidfile redis 'redis-*' redis.pid redis
stop_by_pidfile objectstore 'versitygw-*' versitygw.pid versitygw
stop_by_pidfile detector 'detector-*' pid node

if [[ -n "$PURGE" ]]; then
	rm -f "$SERVICES_DIR/.lock" "$SERVICES_DIR/.detector.lock"
	rmdir "$SERVICES_DIR" 2>/dev/null || true
fi
