#!/usr/bin/env bash
# Makes sure HAProxy, the load balancer of make cluster and of the cluster
# tests, is installed: uses it when present, installs the Debian package with
# apt-get as root (without starting its system service: the scripts and tests
# run their own), and otherwise says what to install.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian puts it in /usr/sbin, which a user's PATH may lack.
find_haproxy() { command -v haproxy 2>/dev/null || { [[ -x /usr/sbin/haproxy ]] && echo /usr/sbin/haproxy; }; }

if find_haproxy >/dev/null; then
	exit 0
fi
can_apt_install ||
	die "HAProxy is not installed. Install it (Debian/Ubuntu: sudo apt-get install haproxy; Fedora: sudo dnf install haproxy; macOS: brew install haproxy)"
take_lock
find_haproxy >/dev/null && exit 0
apt_install haproxy
find_haproxy >/dev/null || die "haproxy was installed but is not in PATH nor /usr/sbin"
log "haproxy: installed $("$(find_haproxy)" -v | head -1)"
