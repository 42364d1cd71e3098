#!/usr/bin/env bash
# The review's preview (.github/workflows/preview.yml): `pulumi preview --refresh --diff` of $PULUMI_STACK into
# preview/diff.txt. With --refresh the preview first reads what Okta (and Vault, and the cluster) really hold, so
# drift — a secret deleted or deactivated in the Admin Console, an auth method reset by a whole-app PUT — shows
# in the pull request instead of "no change". Exit status: the preview's.
set -uo pipefail
: "${PULUMI_STACK:?set PULUMI_STACK to the stack to preview}"
mkdir -p preview
pulumi preview --stack "$PULUMI_STACK" --refresh --diff --non-interactive --color never > preview/diff.txt 2>&1
code=$?
cat preview/diff.txt
exit "$code"
