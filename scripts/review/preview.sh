#!/usr/bin/env bash
# The review's preview (.github/workflows/preview.yml) of $PULUMI_STACK, into preview/:
# - diff.txt: `pulumi preview --refresh --diff`. With --refresh the preview first reads what Okta (and Vault, and
#   the cluster) really hold, so drift — a secret deleted or deactivated in the Admin Console, an auth method reset
#   by a whole-app PUT — shows in the pull request as the change that puts it back, instead of "no change";
# - preview.json: the same preview as `--json`, and summary.md: the plan summary generated from it
#   (scripts/review/plan-summary.ts: per app, the numbered steps, ids only).
# Exit status: the preview's.
set -uo pipefail
: "${PULUMI_STACK:?set PULUMI_STACK to the stack to preview}"
mkdir -p preview
pulumi preview --stack "$PULUMI_STACK" --refresh --diff --non-interactive --color never > preview/diff.txt 2>&1
code=$?
cat preview/diff.txt
if [ "$code" = 0 ]; then
  pulumi preview --stack "$PULUMI_STACK" --refresh --json --non-interactive > preview/preview.json &&
    npx tsx scripts/review/plan-summary.ts preview/preview.json > preview/summary.md &&
    cat preview/summary.md
  code=$?
fi
exit "$code"
