#!/usr/bin/env bash
# Stops the throwaway PostgreSQL, Redis and object store servers that
# scripts/ensure-services.sh and scripts/ensure-objectstore.sh started in
# ${TMPDIR:-/tmp}/artauction-services. Servers they did not start are left
# alone. With --purge, their data directories are deleted too.
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

for root in "$SERVICES_DIR"/redis-*/; do
	root="${root%/}"
	pidfile="$root/redis.pid"
	if [[ -f "$pidfile" ]]; then
		pid="$(cat "$pidfile")"
		if [[ "$pid" =~ ^[0-9]+$ ]] && grep -q redis "/proc/$pid/comm" 2>/dev/null; then
			kill "$pid"
			for _ in $(seq 1 40); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.25
			done
			echo "redis: stopped the server in $root (pid $pid)"
		fi
		rm -f "$pidfile"
	fi
	if [[ -n "$PURGE" ]]; then
		rm -rf "$root"
		echo "redis: removed $root"
	fi
done

for root in "$SERVICES_DIR"/versitygw-*/; do
	root="${root%/}"
	pidfile="$root/versitygw.pid"
	if [[ -f "$pidfile" ]]; then
		pid="$(cat "$pidfile")"
		if [[ "$pid" =~ ^[0-9]+$ ]] && grep -q versitygw "/proc/$pid/comm" 2>/dev/null; then
			kill "$pid"
			for _ in $(seq 1 40); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.25
			done
			echo "objectstore: stopped the versitygw in $root (pid $pid)"
		fi
		rm -f "$pidfile"
	fi
	if [[ -n "$PURGE" ]]; then
		rm -rf "$root"
		echo "objectstore: removed $root"
	fi
done

if [[ -n "$PURGE" ]]; then
	rm -f "$SERVICES_DIR/.lock"
	rmdir "$SERVICES_DIR" 2>/dev/null || true
fi
