#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer at DATABASE_URL and REDIS_URL.
#
# For each service, in order:
#   1. if something answers at the URL, use it;
#   2. else, if the server is installed, start a throwaway one in
#      ${TMPDIR:-/tmp}/artauction-services (local addresses only);
#   3. else, as root on Debian/Ubuntu, install it with apt-get and go to 2;
#   4. else stop, saying what to install.
# Then it makes sure the database named in DATABASE_URL exists.
#
# Safe to run again and again; when both services already answer it only checks.
# scripts/stop-services.sh stops what this script started.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/artauction?sslmode=disable}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

# ---------------------------------------------------------------- PostgreSQL

pg_answers() {
	if have pg_isready; then
		pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
	elif [[ -n "${PG_BINDIR:-}" && -x "$PG_BINDIR/pg_isready" ]]; then
		"$PG_BINDIR/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
	else
		tcp_open "$PG_HOST" "$PG_PORT"
	fi
}

# find_pg_bindir sets PG_BINDIR to a directory holding initdb and pg_ctl,
# preferring the newest /usr/lib/postgresql/N/bin.
find_pg_bindir() {
	PG_BINDIR=""
	local dir
	while IFS= read -r dir; do
		if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
			PG_BINDIR="$dir"
			return 0
		fi
	done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn)
	if have initdb && have pg_ctl; then
		PG_BINDIR="$(dirname "$(command -v pg_ctl)")"
		return 0
	fi
	return 1
}

# as_db_user CMD... runs CMD as the owner of the throwaway cluster: PostgreSQL
# refuses to run as root.
as_db_user() {
	if ! is_root; then
		"$@"
	elif have runuser; then
		runuser -u "$PG_OS_USER" -- "$@"
	else
		su -s /bin/bash "$PG_OS_USER" -c "$(printf '%q ' "$@")"
	fi
}

start_postgres() {
	local root="$SERVICES_DIR/postgres-$PG_PORT"
	local data="$root/data"
	take_lock
	pg_answers && return 0
	port_free "$PG_HOST" "$PG_PORT" ||
		die "something listens on $PG_HOST:$PG_PORT but does not answer as PostgreSQL"

	PG_OS_USER="$(id -un)"
	if is_root; then
		PG_OS_USER=postgres
		id -u "$PG_OS_USER" >/dev/null 2>&1 || PG_OS_USER=nobody
	fi
	mkdir -p "$root"
	if is_root; then
		chown -R "$PG_OS_USER" "$root"
		as_db_user test -w "$root" ||
			die "user $PG_OS_USER cannot write $root; set TMPDIR to a directory it can reach (e.g. /tmp)"
	fi

	if [[ ! -f "$data/PG_VERSION" ]]; then
		rm -rf "$data"
		(cd "$root" && as_db_user "$PG_BINDIR/initdb" -D "$data" -U "${PG_USER:-postgres}" \
			--auth=trust --encoding=UTF8 --locale=C --no-sync >"$root/initdb.log" 2>&1) ||
			die "initdb failed; see $root/initdb.log"
	fi
	printf '%s\n' "$PG_BINDIR" >"$root/bindir"

	# No unix socket: it would need a writable /var/run/postgresql. fsync is off
	# because the data is throwaway.
	local opts="-c listen_addresses='$PG_HOST' -p $PG_PORT -c unix_socket_directories='' -c max_connections=200 -c fsync=off -c full_page_writes=off"
	(cd "$root" && as_db_user "$PG_BINDIR/pg_ctl" -D "$data" -l "$root/server.log" -o "$opts" \
		-w -t "$WAIT_SECONDS" start >/dev/null 2>&1 9>&-) ||
		die "PostgreSQL did not start; see $root/server.log"

	local i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if pg_answers; then
			PG_STARTED="started a throwaway PostgreSQL $("$PG_BINDIR/postgres" --version | sed 's/.*(PostgreSQL) \([^ ]*\).*/\1/') on $PG_HOST:$PG_PORT (data in $data)"
			return 0
		fi
		sleep 0.25
	done
	die "PostgreSQL started but does not answer on $PG_HOST:$PG_PORT; see $root/server.log"
}

# pg_psql SQL runs one statement against the maintenance database and prints
# the unaligned result.
pg_psql() {
	local psql=psql
	if ! have psql; then
		[[ -n "${PG_BINDIR:-}" && -x "$PG_BINDIR/psql" ]] || return 127
		psql="$PG_BINDIR/psql"
	fi
	PGCONNECT_TIMEOUT=5 PGPASSWORD="$PG_PASS" "$psql" -X -q -t -A -v ON_ERROR_STOP=1 \
		-h "$PG_HOST" -p "$PG_PORT" -U "${PG_USER:-postgres}" -d postgres -c "$1"
}

# ensure_database creates the database named in DATABASE_URL when missing, and
# warns when the pg_trgm extension the schema needs is not installed.
ensure_database() {
	local db="${PG_DB:-postgres}" out
	local lit="${db//\'/\'\'}" ident="${db//\"/\"\"}"
	if ! out="$(pg_psql "SELECT (SELECT count(*) FROM pg_database WHERE datname = '$lit') || ' ' || (SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm')" 2>&1)"; then
		if [[ -z "$out" ]] && ! have psql; then
			PG_DB_NOTE="psql not found, database $db not checked (install the PostgreSQL client)"
			return 0
		fi
		die "cannot query PostgreSQL at $PG_HOST:$PG_PORT as ${PG_USER:-postgres}: $out"
	fi
	if [[ "$out" == *" 0" ]]; then
		log "postgres: warning: extension pg_trgm is not available; install the PostgreSQL contrib modules (Debian/Ubuntu: postgresql-contrib)" >&2
	fi
	if [[ "$out" == 1* ]]; then
		PG_DB_NOTE="database $db exists"
	elif is_local_host "$PG_HOST"; then
		# A concurrent run may create it first: only a database still missing is an error.
		out="$(pg_psql "CREATE DATABASE \"$ident\"" 2>&1)" ||
			[[ "$(pg_psql "SELECT 1 FROM pg_database WHERE datname = '$lit'" 2>/dev/null)" == 1 ]] ||
			die "cannot create database $db: $out"
		PG_DB_NOTE="created database $db"
	else
		die "database $db does not exist on $PG_HOST:$PG_PORT (not a local address, so it is not created here)"
	fi
}

ensure_postgres() {
	parse_url "$DATABASE_URL" 5432
	[[ "$U_SCHEME" == postgres || "$U_SCHEME" == postgresql ]] ||
		die "DATABASE_URL must start with postgres:// (got $U_SCHEME://)"
	PG_HOST="$U_HOST" PG_PORT="$U_PORT" PG_USER="$U_USER" PG_PASS="$U_PASS" PG_DB="$U_PATH"
	PG_DB_NOTE=""
	local what

	if pg_answers; then
		what="answers on $PG_HOST:$PG_PORT"
	else
		is_local_host "$PG_HOST" ||
			die "PostgreSQL at $PG_HOST:$PG_PORT does not answer, and it is not a local address this script may start a server on"
		if ! find_pg_bindir; then
			can_apt_install ||
				die "PostgreSQL does not answer on $PG_HOST:$PG_PORT and is not installed. Install PostgreSQL 15 or newer with its contrib modules (Debian/Ubuntu: sudo apt-get install postgresql; Fedora: sudo dnf install postgresql-server postgresql-contrib; macOS: brew install postgresql@16), or start one yourself, or use docker compose up -d postgres"
			apt_install postgresql postgresql-contrib
			find_pg_bindir || die "PostgreSQL was installed but initdb/pg_ctl were not found under /usr/lib/postgresql"
		fi
		PG_STARTED="answers on $PG_HOST:$PG_PORT (started by a concurrent run)"
		start_postgres
		what="$PG_STARTED"
	fi
	ensure_database
	log "postgres: $what${PG_DB_NOTE:+; $PG_DB_NOTE}"
}

# --------------------------------------------------------------------- Redis

redis_answers() {
	if have redis-cli && [[ "$R_SCHEME" == redis ]]; then
		local out user=()
		[[ -n "$R_USER" ]] && user=(--user "$R_USER")
		out="$(REDISCLI_AUTH="$R_PASS" with_timeout 3 redis-cli --no-auth-warning "${user[@]}" \
			-h "$R_HOST" -p "$R_PORT" ping 2>/dev/null)" || return 1
		[[ "$out" == PONG ]]
	else
		tcp_open "$R_HOST" "$R_PORT"
	fi
}

start_redis() {
	local root="$SERVICES_DIR/redis-$R_PORT" bind="$R_HOST"
	[[ "$bind" == localhost ]] && bind=127.0.0.1
	take_lock
	if redis_answers; then
		log "redis: answers on $R_HOST:$R_PORT (started by a concurrent run)"
		return 0
	fi
	port_free "$R_HOST" "$R_PORT" ||
		die "something listens on $R_HOST:$R_PORT but does not answer as Redis"
	mkdir -p "$root"
	local args=(--bind "$bind" --port "$R_PORT" --daemonize yes
		--dir "$root" --pidfile "$root/redis.pid" --logfile "$root/redis.log"
		--save '' --appendonly no)
	[[ -n "$R_PASS" ]] && args+=(--requirepass "$R_PASS")
	redis-server "${args[@]}" >/dev/null 9>&- || die "redis-server did not start; see $root/redis.log"

	local i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if redis_answers; then
			log "redis: started a throwaway Redis $(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/') on $R_HOST:$R_PORT (files in $root)"
			return 0
		fi
		sleep 0.25
	done
	die "Redis started but does not answer on $R_HOST:$R_PORT; see $root/redis.log"
}

ensure_redis() {
	parse_url "$REDIS_URL" 6379
	[[ "$U_SCHEME" == redis || "$U_SCHEME" == rediss ]] ||
		die "REDIS_URL must start with redis:// (got $U_SCHEME://)"
	R_SCHEME="$U_SCHEME" R_HOST="$U_HOST" R_PORT="$U_PORT" R_USER="$U_USER" R_PASS="$U_PASS"

	if redis_answers; then
		log "redis: answers on $R_HOST:$R_PORT"
		return 0
	fi
	is_local_host "$R_HOST" ||
		die "Redis at $R_HOST:$R_PORT does not answer, and it is not a local address this script may start a server on"
	if ! have redis-server; then
		can_apt_install ||
			die "Redis does not answer on $R_HOST:$R_PORT and redis-server is not installed. Install Redis 7 (Debian/Ubuntu: sudo apt-get install redis-server; Fedora: sudo dnf install redis; macOS: brew install redis), or start one yourself, or use docker compose up -d redis"
		apt_install redis-server
		have redis-server || die "redis-server was installed but is not in PATH"
	fi
	start_redis
}

ensure_postgres
ensure_redis
