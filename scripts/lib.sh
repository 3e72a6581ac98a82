# Helpers shared by the scripts that make sure of local services and tools.
# Source it; it sets no shell options of its own.

# SERVICES_DIR holds the throwaway servers the scripts start, one directory each.
SERVICES_DIR="${TMPDIR:-/tmp}"
SERVICES_DIR="${SERVICES_DIR%/}/artauction-services"
# TOOLS_DIR keeps tools built from source once, across runs and worktrees.
TOOLS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/artauction"
WAIT_SECONDS=30

log() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# with_timeout SECONDS CMD... runs CMD, bounded when coreutils timeout exists.
with_timeout() {
	local secs="$1"
	shift
	if have timeout; then
		timeout "$secs" "$@"
	else
		"$@"
	fi
}

# url_decode STRING decodes %XX escapes.
url_decode() {
	printf '%b' "${1//%/\\x}"
}

# parse_url URL DEFAULT_PORT sets U_SCHEME, U_USER, U_PASS, U_HOST, U_PORT,
# and U_PATH (the query string is ignored).
parse_url() {
	local url="$1" default_port="$2"
	local re='^([A-Za-z][A-Za-z0-9+.-]*)://(([^@/]*)@)?(\[[^]/]*\]|[^:/?]*)(:([0-9]*))?(/([^?]*))?(\?(.*))?$'
	[[ "$url" =~ $re ]] || die "cannot parse URL: $url"
	U_SCHEME="${BASH_REMATCH[1]}"
	local userinfo="${BASH_REMATCH[3]}"
	U_HOST="${BASH_REMATCH[4]}"
	U_PORT="${BASH_REMATCH[6]:-$default_port}"
	U_PATH="$(url_decode "${BASH_REMATCH[8]}")"
	U_HOST="${U_HOST#[}"
	U_HOST="${U_HOST%]}"
	U_HOST="${U_HOST:-localhost}"
	U_USER=""
	U_PASS=""
	if [[ -n "$userinfo" ]]; then
		U_USER="$(url_decode "${userinfo%%:*}")"
		if [[ "$userinfo" == *:* ]]; then
			U_PASS="$(url_decode "${userinfo#*:}")"
		fi
	fi
}

is_local_host() {
	[[ "$1" == localhost || "$1" == ::1 || "$1" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
}

# tcp_open HOST PORT succeeds when something accepts connections there.
tcp_open() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	with_timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# port_free HOST PORT succeeds when nothing listens there yet.
port_free() { ! tcp_open "$1" "$2"; }

# take_lock serialises concurrent starts (two make targets at once).
take_lock() {
	[[ -n "${LOCKED:-}" ]] && return 0
	mkdir -p "$SERVICES_DIR"
	chmod 755 "$SERVICES_DIR" 2>/dev/null || true
	if have flock; then
		exec 9>"$SERVICES_DIR/.lock"
		flock -w 300 9 || die "another run holds $SERVICES_DIR/.lock"
	fi
	LOCKED=1
}

# apt_install PACKAGE... installs Debian packages without starting their services
# (the throwaway servers are started by these scripts instead).
apt_install() {
	local policy=/usr/sbin/policy-rc.d added_policy=""
	if [[ ! -e "$policy" ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		added_policy=1
	fi
	log "installing $* with apt-get (this takes a minute)"
	local rc=0
	{
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
	} >/dev/null || rc=$?
	[[ -n "$added_policy" ]] && rm -f "$policy"
	[[ "$rc" -eq 0 ]] || die "apt-get install $* failed (exit $rc)"
}

can_apt_install() { is_root && have apt-get; }
