#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZ_TIME each, one after the other
# (go test fuzzes one target per run). Targets are found with `go test -list`,
# so a new FuzzXxx needs no change here. A failing input is written to the
# target's testdata/fuzz/FuzzXxx/ by go test; the failed targets are named at
# the end and the script exits 1.
#
# Go 1.26's fuzzing coordinator may end a run that found nothing with a bare
# "context deadline exceeded" when a busy machine delays its workers at the end
# of -fuzztime (go.dev/issue/75804, fixed in Go 1.27). Such a run wrote no
# failing input, so it is reported and not counted as a failure.
set -euo pipefail

GO="${GO:-go}"
FUZZ_TIME="${FUZZ_TIME:-30s}"
FUZZ_PARALLEL="${FUZZ_PARALLEL:-2}"

# -short: the black-box package's TestMain checks operation coverage unless told otherwise.
targets=$("$GO" test -short -list '^Fuzz' ./... |
	awk '/^Fuzz/ {names[n++] = $0} /^ok / {for (i = 0; i < n; i++) print $2 "=" names[i]; n = 0}')

failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in $targets; do
	pkg=${target%%=*}
	name=${target#*=}
	echo "== $name ($pkg) for $FUZZ_TIME"
	if "$GO" test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZ_TIME" -parallel "$FUZZ_PARALLEL" "$pkg" 2>&1 | tee "$log"; then
		continue
	fi
	if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
		echo "== $name: stopped by the fuzzing coordinator's deadline (go.dev/issue/75804); no failing input"
		continue
	fi
	failed+=("$name")
done

if ((${#failed[@]})); then
	echo "fuzz targets that failed: ${failed[*]}"
	exit 1
fi
