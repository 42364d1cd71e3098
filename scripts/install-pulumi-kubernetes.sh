#!/usr/bin/env bash
# Makes the pulumi-kubernetes resource plugin available offline: builds
# pulumi-resource-kubernetes from the Go module proxy and installs it into the
# Pulumi plugin cache with `pulumi plugin install resource kubernetes <v> --file`.
#
# Which code: github.com/pulumi/pulumi-kubernetes/provider/v4 is served by the
# proxy only at v4.0.0-20260115033456-f47bc2d6f199 (the release tags are
# named v4.x.y, not provider/v4.x.y, so the proxy refuses them). Commit
# f47bc2d6f199 is the one the repository's tag v4.25.0 points at, so this is
# the code of release 4.25.0, matching the npm package @pulumi/kubernetes
# 4.25.0, and the plugin is installed as version 4.25.0. The Pulumi CLI picks
# a plugin by exact version: a program on another @pulumi/kubernetes version
# asks for that version's plugin and does not use this one.
#
# The release binary embeds schema-embed.json and terraform-mapping-embed.json,
# which the release build generates from the module's
# cmd/pulumi-resource-kubernetes/{schema.json,terraform-mapping.json} with the
# module's own generate.go (it sets the schema's version). The throwaway
# wrapper module gets a copy of that main.go and generate.go, runs the
# generator, and builds the binary with the version stamped into
# provider/v4/pkg/version.
#
# Cached by version in
#   ${XDG_CACHE_HOME:-~/.cache}/okta-rotation/bin/pulumi-kubernetes-<version>/
# (the binary and BUILD-INFO recording the module version and commit).
#
# stdout: the absolute path of the directory holding pulumi-resource-kubernetes.
# Progress on stderr.
#
# Environment:
#   PULUMI_KUBERNETES_MODULE_VERSION  default v4.0.0-20260115033456-f47bc2d6f199
#   PULUMI_KUBERNETES_VERSION         plugin version, default 4.25.0 (the
#                                     release whose code that is; do not set a
#                                     release number whose code this is not)
#   PULUMI_KUBERNETES_SDK_VERSION     sdk/v4 module standing in for the
#                                     provider's ../sdk replace, default 4.25.0
#   PULUMI                            the Pulumi CLI (default: pulumi on PATH,
#                                     else ~/.pulumi/versions/3.259.0/bin/pulumi)
#   PULUMI_KUBERNETES_SKIP_PLUGIN_INSTALL=1  build and cache only
#   GO_BUILD_NICE                     niceness of the build (default 19)
set -euo pipefail

TOOL=install-pulumi-kubernetes
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/go-wrapper.sh
. "$script_dir/lib/go-wrapper.sh"

MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
MODULE_VERSION="${PULUMI_KUBERNETES_MODULE_VERSION:-v4.0.0-20260115033456-f47bc2d6f199}"
VERSION="${PULUMI_KUBERNETES_VERSION:-4.25.0}"
VERSION="${VERSION#v}"
SDK_VERSION="${PULUMI_KUBERNETES_SDK_VERSION:-4.25.0}"
SDK_VERSION="${SDK_VERSION#v}"
COMMIT="${MODULE_VERSION##*-}"
# The release whose tag points at that commit (checked against the
# repository's tags); unknown for another module version.
RELEASE_TAG=""
[[ "$COMMIT" == f47bc2d6f199 ]] && RELEASE_TAG=v4.25.0

DEST="$BIN_CACHE_ROOT/pulumi-kubernetes-$VERSION"
EXE=pulumi-resource-kubernetes

find_pulumi() {
  if [[ -n "${PULUMI:-}" ]]; then
    printf '%s' "$PULUMI"
  elif command -v pulumi >/dev/null 2>&1; then
    command -v pulumi
  elif [[ -x "$HOME/.pulumi/versions/3.259.0/bin/pulumi" ]]; then
    printf '%s' "$HOME/.pulumi/versions/3.259.0/bin/pulumi"
  else
    return 1
  fi
}

plugin_dir() { printf '%s' "${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-kubernetes-v$VERSION"; }

# Installs the cached binary into the Pulumi plugin cache, unless the same
# binary is there already.
install_plugin() {
  [[ "${PULUMI_KUBERNETES_SKIP_PLUGIN_INSTALL:-}" == "1" ]] && return 0
  local pulumi pd
  pd="$(plugin_dir)"
  if [[ -x "$pd/$EXE" ]] && cmp -s "$pd/$EXE" "$DEST/$EXE"; then
    log "plugin resource kubernetes v$VERSION already installed in $pd"
    return 0
  fi
  pulumi="$(find_pulumi)" || die "no Pulumi CLI found to install the plugin with (run scripts/install-pulumi.sh, or set PULUMI)"
  log "installing it as plugin resource kubernetes v$VERSION with $pulumi"
  # Into the directory checked above: without PULUMI_HOME the CLI takes the account's home directory from the
  # system, not $HOME, and the two differ wherever HOME is set to another directory.
  PULUMI_HOME="${PULUMI_HOME:-$HOME/.pulumi}" PULUMI_SKIP_UPDATE_CHECK=true "$pulumi" plugin install resource \
    kubernetes "$VERSION" --file "$DEST/$EXE" --reinstall >&2 ||
    die "pulumi plugin install failed"
}

report_pairing() {
  log "plugin code: $MODULE@$MODULE_VERSION (commit $COMMIT${RELEASE_TAG:+, the commit of release tag $RELEASE_TAG})"
  log "installed as plugin version $VERSION; matching npm package: @pulumi/kubernetes@$VERSION"
}

if [[ -x "$DEST/$EXE" && -f "$DEST/BUILD-INFO" ]] && grep -qx "module $MODULE $MODULE_VERSION" "$DEST/BUILD-INFO"; then
  log "using cached pulumi-resource-kubernetes v$VERSION"
  install_plugin
  report_pairing
  printf '%s\n' "$DEST"
  exit 0
fi

setup_go
start=$(date +%s)
log "building pulumi-resource-kubernetes v$VERSION from $MODULE@$MODULE_VERSION with $("$GO" version)"
log "a cold build takes about 8 minutes on 2 idle cores (longer on a busy machine); the binary is ~300 MB"

gomod="$(module_gomod "$MODULE@$MODULE_VERSION")" || die "the module proxy refused $MODULE@$MODULE_VERSION"
moddir="$(module_dir "$MODULE@$MODULE_VERSION")"
cmddir="$moddir/cmd/pulumi-resource-kubernetes"
[[ -f "$cmddir/main.go" && -f "$cmddir/generate.go" && -f "$cmddir/schema.json" ]] ||
  die "$MODULE@$MODULE_VERSION has no cmd/pulumi-resource-kubernetes with main.go, generate.go and schema.json"

# Replace lines: the provider's own (sdk/v4 => ../sdk becomes the published
# sdk/v4 of the same release), plus those of github.com/pulumi/pulumi/pkg/v3
# that name another module (a dependency's replace lines are not applied).
replaces="$(wrapper_replaces "$gomod" | sed "s#^\(github.com/pulumi/pulumi-kubernetes/sdk/v4\)=.*#\1=\1@v$SDK_VERSION#")"
pkgver="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$gomod")"
if [[ -n "$pkgver" ]] && pkgmod="$(module_gomod "github.com/pulumi/pulumi/pkg/v3@$pkgver")"; then
  replaces+=$'\n'"$(wrapper_replaces "$pkgmod" | awk -F= '{ split($1, o, "@"); split($2, n, "@"); if (o[1] != n[1]) print }')"
fi

work="$BUILD_ROOT/pulumi-kubernetes-$VERSION"
init_wrapper "$work" pulumi-resource-kubernetes-build "$(go_directive "$gomod")"
mkdir -p "$work/gen"
cp "$cmddir/main.go" "$work/main.go"
sed -e '/^\/\/go:build ignore$/d' -e '/^\/\/ +build ignore$/d' "$cmddir/generate.go" >"$work/gen/main.go"
cp "$cmddir/schema.json" "$cmddir/terraform-mapping.json" "$work/"
chmod -R u+w "$work"
(
  cd "$work"
  "$GO" mod edit -require="$MODULE@$MODULE_VERSION"
  while IFS= read -r r; do
    [[ -n "$r" ]] && "$GO" mod edit -replace="$r"
  done <<<"$replaces"
  log "resolving dependencies ($(grep -c '=>' go.mod || true) replace directives in the wrapper)"
  "$GO" mod tidy >&2
  log "generating schema-embed.json (schema version $VERSION) with the module's generate.go"
  VERSION="$VERSION" "${NICE[@]}" "$GO" run ./gen >&2
) || die "preparing the build failed (see above)"

new_staging "$DEST"
log "compiling pulumi-resource-kubernetes (started $(date -u +%H:%M:%S) UTC)"
(
  cd "$work"
  "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-s -w -X $MODULE/pkg/version.Version=$VERSION" \
    -o "$staging/$EXE" . >&2
) || die "compiling pulumi-resource-kubernetes failed (see above)"
{
  printf 'module %s %s\n' "$MODULE" "$MODULE_VERSION"
  printf 'commit %s = release tag %s; npm @pulumi/kubernetes@%s\n' "$COMMIT" "${RELEASE_TAG:-unknown}" "$VERSION"
  printf 'plugin version %s; sdk/v4 replaced by v%s\n' "$VERSION" "$SDK_VERSION"
  printf 'built with %s on %s\n' "$("$GO" version)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$staging/BUILD-INFO"
install_staging "$staging" "$DEST"
rm -rf "$work"
log "built pulumi-resource-kubernetes v$VERSION in $(elapsed "$start") ($(human_size "$DEST/$EXE"))"
install_plugin
report_pairing
printf '%s\n' "$DEST"
