#!/usr/bin/env bash
# `npm run lint:workflows`: actionlint (from the Go module proxy) on .github/workflows, with the pinned ShellCheck of
# scripts/install-shellcheck.sh for the `run:` scripts. The ShellCheck is named explicitly, so the check never
# falls back to another one on PATH, and never runs without it: a failed install fails the lint.
set -euo pipefail
cd "$(dirname "$0")/.."
shellcheck_dir="$(bash scripts/install-shellcheck.sh)"
exec go run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 -no-color -oneline \
  -shellcheck="$shellcheck_dir/shellcheck" "$@"
