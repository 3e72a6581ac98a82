#!/usr/bin/env bash
# Makes sure an S3-compatible object store answers at S3_ENDPOINT
# (default http://127.0.0.1:7070):
#   1. if something answers there as S3, use it;
#   2. else, on a loopback address only, start a throwaway versitygw (its
#      posix backend: one directory per bucket, one file per object) in
#      ${TMPDIR:-/tmp}/artauction-services/versitygw-PORT, whose root user signs
#      in with S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY;
#   3. versitygw is built once from the Go module proxy, pinned, into
#      ${XDG_CACHE_HOME:-~/.cache}/artauction (a few minutes, with Go only),
#      and reused by every later run.
#
# Safe to run again and again; when the store answers it only checks.
# scripts/stop-services.sh stops what this script started.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:7070}"
# Development keys of the throwaway store; a real store gets its own.
S3_ACCESS_KEY_ID="${S3_ACCESS_KEY_ID:-artauction}"
S3_SECRET_ACCESS_KEY="${S3_SECRET_ACCESS_KEY:-artauction-dev-secret}"
S3_REGION="${S3_REGION:-us-east-1}"

# The pinned release, kept out of the service's go.mod: it is a tool, not a dependency.
VERSITYGW_MODULE=github.com/versity/versitygw
VERSITYGW_VERSION=v1.8.0
VERSITYGW_DIR="$TOOLS_DIR/versitygw-$VERSITYGW_VERSION"
VERSITYGW="$VERSITYGW_DIR/versitygw"

# s3_answers succeeds when the endpoint answers an anonymous request as S3
# does: with an S3 error document (or, if it allows it, a bucket list).
s3_answers() {
	local reply
	# shellcheck disable=SC2016 # expanded by the inner bash
	reply="$(with_timeout 3 bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "GET / HTTP/1.0\r\nHost: %s:%s\r\n\r\n" "$1" "$2" >&3
		head -c 4096 <&3' _ "$S3_HOST" "$S3_PORT" 2>/dev/null)" || return 1
	[[ "$reply" == *"<Error>"* || "$reply" == *"<ListAllMyBucketsResult"* ]]
}

# build_versitygw installs the pinned versitygw into the tools cache.
build_versitygw() {
	[[ -x "$VERSITYGW" ]] && return 0
	have go || die "versitygw is not built and go is not installed to build it (https://go.dev/dl/)"
	log "objectstore: building versitygw $VERSITYGW_VERSION into $VERSITYGW_DIR (once; a few minutes of compiling)"
	mkdir -p "$VERSITYGW_DIR"
	local staging
	staging="$(mktemp -d "$VERSITYGW_DIR/.build-XXXXXX")"
	# Outside any module, so that the project's go.mod is neither read nor changed.
	(cd "$staging" && GOBIN="$staging" GOFLAGS=-mod=mod GO111MODULE=on \
		go install -trimpath -ldflags='-s -w' "$VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION") ||
		{ rm -rf "$staging"; die "go install $VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION failed"; }
	mv "$staging/versitygw" "$VERSITYGW"
	rm -rf "$staging"
}

start_versitygw() {
	local root="$SERVICES_DIR/versitygw-$S3_PORT" bind="$S3_HOST"
	[[ "$bind" == localhost ]] && bind=127.0.0.1
	# Built outside the lock, which other runs wait for only a few minutes:
	# concurrent builds each write their own staging directory and the last
	# rename wins, with the same binary.
	build_versitygw
	take_lock
	if s3_answers; then
		log "objectstore: answers at $S3_ENDPOINT (started by a concurrent run)"
		return 0
	fi
	port_free "$S3_HOST" "$S3_PORT" ||
		die "something listens on $S3_HOST:$S3_PORT but does not answer as S3"
	mkdir -p "$root/data"
	# setsid: the store outlives the make run that started it, as Postgres does.
	ROOT_ACCESS_KEY_ID="$S3_ACCESS_KEY_ID" ROOT_SECRET_ACCESS_KEY="$S3_SECRET_ACCESS_KEY" \
		setsid "$VERSITYGW" --port "$bind:$S3_PORT" --region "$S3_REGION" --quiet --keep-alive \
		posix "$root/data" >"$root/versitygw.log" 2>&1 </dev/null 9>&- &
	echo $! >"$root/versitygw.pid"

	local i pid
	pid="$(cat "$root/versitygw.pid")"
	for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
		if s3_answers; then
			log "objectstore: started a throwaway versitygw $VERSITYGW_VERSION at $S3_ENDPOINT (objects in $root/data)"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || die "versitygw exited at start; see $root/versitygw.log"
		sleep 0.1
	done
	die "versitygw started but does not answer at $S3_ENDPOINT; see $root/versitygw.log"
}

ensure_objectstore() {
	case "$S3_ENDPOINT" in
	http://*) parse_url "$S3_ENDPOINT" 80 ;;
	https://*)
		# A store over TLS is a real one elsewhere: only its port is checked here.
		parse_url "$S3_ENDPOINT" 443
		tcp_open "$U_HOST" "$U_PORT" || die "nothing answers at $S3_ENDPOINT"
		log "objectstore: $S3_ENDPOINT accepts connections"
		return 0
		;;
	*) die "S3_ENDPOINT must start with http:// or https:// (got $S3_ENDPOINT)" ;;
	esac
	S3_HOST="$U_HOST" S3_PORT="$U_PORT"

	if s3_answers; then
		log "objectstore: answers at $S3_ENDPOINT"
		return 0
	fi
	is_local_host "$S3_HOST" ||
		die "no object store answers at $S3_ENDPOINT, and it is not a local address this script may start one on"
	start_versitygw
}

ensure_objectstore
