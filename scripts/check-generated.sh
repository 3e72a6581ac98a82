#!/usr/bin/env bash
# Fails when `go generate ./...` changes the working tree, that is when a
# generated file (a mock in application/mock) no longer matches its source.
# It compares the tree before and after, so uncommitted work of one's own does
# not count; what generation changed is left in place, as `make generate` would.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}

tree_state() {
	git status --porcelain=v1 --untracked-files=all
	git diff
	git ls-files --others --exclude-standard -z | xargs -0 --no-run-if-empty sha256sum
}

before=$(tree_state | sha256sum)
"$GO" generate ./...
after=$(tree_state | sha256sum)
if [ "$before" != "$after" ]; then
	echo "go generate ./... changed the tree; commit what it generates:" >&2
	git status --short >&2
	exit 1
fi
