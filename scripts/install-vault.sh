#!/usr/bin/env bash
# Makes the Vault server binary available, built from the Go module proxy.
#
# By default this is Vault's own *minimal* build: the `minimal` build tag, which
# upstream's Makefile sets for BUILD_MINIMAL=1 (helper/builtinplugins/registry_min.go,
# command/commands_min.go). The same server, HTTP API and core (token auth,
# KV v1/v2, sys, identity, in-memory and raft storage, audit devices, seals),
# with the built-in plugins approle, cert, jwt/oidc, userpass, pki, ssh and
# transit; the add-on auth methods, secrets engines, database plugins and
# storage backends are left out and never compiled (scripts/README.md lists
# them). VAULT_FULL=1 builds the whole of Vault instead.
#
# Cached by version and flavour in
#   ${XDG_CACHE_HOME:-~/.cache}/okta-rotation/bin/vault-<version>-minimal/vault
#   ${XDG_CACHE_HOME:-~/.cache}/okta-rotation/bin/vault-<version>/vault   (VAULT_FULL=1)
# A second run with the same version only checks the cache.
#
# github.com/hashicorp/vault's go.mod replaces its own api, sdk and
# api/auth/* submodules by directories of the repository. Go ignores a
# dependency's replace lines, so the build runs in a throwaway wrapper module
# that carries them, pinned to published versions: the api and auth modules at
# the versions vault's go.mod requires, the sdk at VAULT_SDK_VERSION.
# (Vault v1.21.4 needs an sdk that was never published; v1.21.0 builds with
# sdk v0.20.0 and api v1.22.0.)
#
# stdout: the absolute path of the directory holding `vault`. Progress on stderr.
#
# Environment:
#   VAULT_VERSION      default 1.21.0
#   VAULT_SDK_VERSION  default 0.20.0
#   VAULT_API_VERSION  default 1.22.0
#   VAULT_FULL         1 = the full build; 0 = the minimal build; unset (default) =
#                      the minimal build, or a full build of the same version
#                      that is already cached
#   GO_BUILD_NICE      niceness of the build (default 19)
set -euo pipefail

TOOL=install-vault
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/go-wrapper.sh
. "$script_dir/lib/go-wrapper.sh"

VERSION="${VAULT_VERSION:-1.21.0}"
VERSION="${VERSION#v}"
SDK_VERSION="${VAULT_SDK_VERSION:-0.20.0}"
SDK_VERSION="${SDK_VERSION#v}"
API_VERSION="${VAULT_API_VERSION:-1.22.0}"
API_VERSION="${API_VERSION#v}"
MODULE=github.com/hashicorp/vault

case "${VAULT_FULL:-}" in
  0 | "")
    FLAVOUR=minimal
    TAGS=minimal
    DEST="$BIN_CACHE_ROOT/vault-$VERSION-minimal"
    ;;
  1)
    FLAVOUR=full
    TAGS=""
    DEST="$BIN_CACHE_ROOT/vault-$VERSION"
    ;;
  *) die "VAULT_FULL must be 0 or 1, not '$VAULT_FULL'" ;;
esac
FULL_DEST="$BIN_CACHE_ROOT/vault-$VERSION"

# True if $1 holds a vault executable reporting $VERSION.
vault_version_ok() {
  [[ -x "$1/vault" ]] || return 1
  "$1/vault" version 2>/dev/null | grep -q "^Vault v$VERSION\\b"
}

# vault_ok <dir> <flavour>: true if <dir> holds a vault executable reporting
# $VERSION whose BUILD-INFO names <flavour>. (A BUILD-INFO from before the
# flavour was recorded names none: those builds were all full.)
vault_ok() {
  vault_version_ok "$1" || return 1
  [[ -f "$1/BUILD-INFO" ]] || return 1
  local recorded
  recorded="$(sed -n 's/^flavour //p' "$1/BUILD-INFO")"
  [[ "${recorded:-full}" == "$2" ]]
}

if vault_ok "$DEST" "$FLAVOUR"; then
  log "using cached Vault v$VERSION ($FLAVOUR build)"
  printf '%s\n' "$DEST"
  exit 0
fi
# With VAULT_FULL unset, a full build of the same version that is already
# cached serves as well (it has everything the minimal build has): no rebuild.
if [[ -z "${VAULT_FULL:-}" ]] && vault_ok "$FULL_DEST" full; then
  log "using cached Vault v$VERSION (full build, a superset of the minimal build; VAULT_FULL=0 builds the minimal one)"
  printf '%s\n' "$FULL_DEST"
  exit 0
fi

setup_go
start=$(date +%s)
log "building Vault v$VERSION, $FLAVOUR build ($MODULE, sdk v$SDK_VERSION, api v$API_VERSION) with $("$GO" version)"
if [[ "$FLAVOUR" == minimal ]]; then
  log "a cold build takes about 6 minutes on 2 idle cores (longer on a busy machine) and needs ~1.9 GB of Go build cache; the binary is ~140 MB"
else
  log "a cold build takes about 10 minutes on 2 idle cores (longer on a busy machine) and needs ~2 GB of Go build cache; the binary is ~360 MB"
fi

gomod="$(module_gomod "$MODULE@v$VERSION")" || die "the module proxy refused $MODULE@v$VERSION"
replaces="$(wrapper_replaces "$gomod")" || die "cannot read the replace directives of $gomod"
# Pin the replaced submodules to the chosen published versions.
replaces="$(printf '%s\n' "$replaces" | sed \
  -e "s#^$MODULE/sdk=$MODULE/sdk@.*#$MODULE/sdk=$MODULE/sdk@v$SDK_VERSION#" \
  -e "s#^$MODULE/api=$MODULE/api@.*#$MODULE/api=$MODULE/api@v$API_VERSION#")"

work="$BUILD_ROOT/vault-$VERSION-$FLAVOUR"
init_wrapper "$work" vault-build "$(go_directive "$gomod")"
wrapper_tools "$work" "$MODULE"
(
  cd "$work"
  "$GO" mod edit -require="$MODULE@v$VERSION"
  while IFS= read -r r; do
    [[ -n "$r" ]] && "$GO" mod edit -replace="$r"
  done <<<"$replaces"
  log "wrapper replace directives:"
  "$GO" mod edit -json | jq -r '.Replace[]? | "  \(.Old.Path) => \(.New.Path) \(.New.Version)"' >&2 2>/dev/null || true
  log "resolving dependencies"
  "$GO" mod tidy >&2
) || die "resolving the dependencies of $MODULE@v$VERSION failed (see above)"

new_staging "$DEST"
log "compiling $MODULE${TAGS:+ with -tags $TAGS} (started $(date -u +%H:%M:%S) UTC)"
(
  cd "$work"
  # CGO_ENABLED=0 as Vault's own Makefile builds it: a static binary, and no C
  # compiler run for the standard library's cgo parts.
  CGO_ENABLED=0 "${NICE[@]}" "$GO" build -trimpath -tags "$TAGS" -ldflags "-s -w \
    -X github.com/hashicorp/vault/version.Version=$VERSION \
    -X github.com/hashicorp/vault/version.VersionPrerelease= \
    -X github.com/hashicorp/vault/version.VersionMetadata=" \
    -o "$staging/vault" "$MODULE" >&2
) || die "compiling $MODULE@v$VERSION failed (see above)"

vault_version_ok "$staging" || die "the built binary does not report Vault v$VERSION: $("$staging/vault" version 2>&1 || true)"
{
  printf 'module %s v%s\n' "$MODULE" "$VERSION"
  printf 'flavour %s\n' "$FLAVOUR"
  printf 'build tags %s, CGO_ENABLED=0\n' "${TAGS:-(none)}"
  printf 'replaced %s/sdk => v%s, %s/api => v%s\n' "$MODULE" "$SDK_VERSION" "$MODULE" "$API_VERSION"
  printf 'built with %s on %s\n' "$("$GO" version)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$staging/BUILD-INFO"
install_staging "$staging" "$DEST"
rm -rf "$work"
log "built Vault v$VERSION in $(elapsed "$start"): $DEST/vault ($(human_size "$DEST/vault"))"
printf '%s\n' "$DEST"
