#!/usr/bin/env bash
# Makes sure headless Chromium and ChromeDriver are installed for the browser
# test of the live auction page: uses them when present, installs the Debian
# packages with apt when it may (root, or sudo without a password), and
# otherwise says exactly what to install.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

installed() { [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; }

if installed; then
	exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		as_root=(sudo -n)
	else
		as_root=(cannot)
	fi
fi

if command -v apt-get >/dev/null && [[ ${as_root[0]:-} != cannot ]]; then
	echo "Installing chromium and chromium-driver with apt-get..."
	export DEBIAN_FRONTEND=noninteractive
	"${as_root[@]}" apt-get update -q
	"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver
	if installed; then
		exit 0
	fi
fi

cat >&2 <<MSG
The browser test needs headless Chromium at $CHROMIUM and ChromeDriver at $CHROMEDRIVER.
Install them, e.g. on Debian or Ubuntu:
    sudo apt-get install chromium chromium-driver
or point CHROMIUM and CHROMEDRIVER at existing binaries.
MSG
exit 1
