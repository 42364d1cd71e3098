#!/usr/bin/env bash
# Makes the Pulumi CLI available, in the version that matches the installed
# @pulumi/pulumi npm package (default 3.259.0).
#
# Order of preference:
#   1. an existing installation with the right version: the cache
#      ~/.pulumi/versions/<version>/bin, or a `pulumi` on PATH;
#   2. the official release tarball from get.pulumi.com, where reachable;
#   3. a build from source through the Go module proxy.
#
# The result is cached in ~/.pulumi/versions/<version>/bin, the directory the
# Automation API of @pulumi/pulumi uses by default
# (PulumiCommand.get/install use <root>/bin/pulumi with
# root = ~/.pulumi/versions/<version>), and symlinked into ~/.pulumi/bin.
#
# The only thing written to stdout is the last line: the absolute path of the
# directory holding `pulumi`, `pulumi-language-nodejs` and
# `pulumi-resource-pulumi-nodejs`. Progress goes to stderr.
#
# Environment:
#   PULUMI_CLI_VERSION         version to install (default: the version of
#                              node_modules/@pulumi/pulumi, else 3.259.0)
#   PULUMI_DOWNLOAD_TIMEOUT    connect timeout in seconds for the download (15)
#   PULUMI_SKIP_DOWNLOAD=1     do not try the official download
#   PULUMI_LANGHOST_SDK_VERSION
#                              sdk/v3 version the Node.js language host is
#                              built from in step 3 (default 3.68.0, see below)
set -euo pipefail

DEFAULT_VERSION="3.259.0"

# The Node.js language host lives in its own Go module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that has
# no tags and is not served by every module proxy. Up to sdk/v3 v3.68.0 it was
# a package of github.com/pulumi/pulumi/sdk/v3, which is served. That host
# speaks the same language-host protocol and runs the program with the
# @pulumi/pulumi package installed in the program's node_modules.
LANGHOST_SDK_VERSION="${PULUMI_LANGHOST_SDK_VERSION:-3.68.0}"

log() { printf 'install-pulumi: %s\n' "$*" >&2; }
die() {
  printf 'install-pulumi: error: %s\n' "$*" >&2
  exit 1
}

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"

# --- version -----------------------------------------------------------------
detect_version() {
  local pkg="$repo_root/node_modules/@pulumi/pulumi/package.json" v=""
  if [[ -f "$pkg" ]]; then
    if command -v node >/dev/null 2>&1; then
      v="$(node -e 'process.stdout.write(String(require(process.argv[1]).version || ""))' "$pkg" 2>/dev/null || true)"
    fi
    if [[ -z "$v" ]]; then
      v="$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$pkg" | head -n 1)"
    fi
  fi
  printf '%s' "${v:-$DEFAULT_VERSION}"
}

VERSION="${PULUMI_CLI_VERSION:-$(detect_version)}"
VERSION="${VERSION#v}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] ||
  die "not a valid Pulumi version: '$VERSION'"

PULUMI_DIR="$HOME/.pulumi"
ROOT="$PULUMI_DIR/versions/$VERSION"
BIN="$ROOT/bin"
TOOLS=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs)

# --- helpers -----------------------------------------------------------------
# True if $1 is a pulumi executable that reports exactly $VERSION.
cli_has_version() {
  local exe="$1" out
  [[ -x "$exe" ]] || return 1
  out="$(PULUMI_SKIP_UPDATE_CHECK=true "$exe" version 2>/dev/null || true)"
  out="${out//[[:space:]]/}"
  [[ "${out#v}" == "$VERSION" ]]
}

# True if directory $1 holds a complete toolset of the right version.
complete_toolset() {
  local dir="$1" t
  cli_has_version "$dir/pulumi" || return 1
  for t in "${TOOLS[@]}"; do
    [[ -x "$dir/$t" ]] || return 1
  done
}

# Writes the dynamic-provider shim. The engine starts it with the program
# directory as working directory, so `node -e require.resolve(...)` finds the
# @pulumi/pulumi package of the program (its node_modules or a parent's).
write_dynamic_provider_shim() {
  local dest="$1"
  cat >"$dest" <<'EOF'
#!/bin/sh
# Pulumi dynamic resource provider for Node.js: runs the dynamic-provider entry
# point of the @pulumi/pulumi package that the Pulumi program (the current
# working directory) resolves.
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || {
  echo "pulumi-resource-pulumi-nodejs: cannot resolve @pulumi/pulumi/cmd/dynamic-provider from $(pwd) (is @pulumi/pulumi installed in the program's node_modules?)" >&2
  exit 1
}
exec node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
EOF
  chmod 755 "$dest"
}

# Points ~/.pulumi/bin/<tool> at the cached toolset. An existing regular file
# (e.g. from another installation) is left alone.
link_into_pulumi_bin() {
  local t link
  mkdir -p "$PULUMI_DIR/bin"
  for t in "${TOOLS[@]}"; do
    link="$PULUMI_DIR/bin/$t"
    if [[ -e "$link" && ! -L "$link" ]]; then
      log "warning: $link exists and is not a symlink; leaving it as is"
      continue
    fi
    ln -sfn "$BIN/$t" "$link"
  done
}

finish() {
  local dir="$1"
  printf '%s\n' "$(cd "$dir" && pwd -P)"
  exit 0
}

# Moves a complete staging directory into place as $BIN.
install_staging() {
  local staging="$1"
  complete_toolset "$staging" || die "internal error: incomplete toolset in $staging"
  rm -rf "$BIN.old"
  [[ -e "$BIN" ]] && mv "$BIN" "$BIN.old"
  mv "$staging" "$BIN"
  rm -rf "$BIN.old"
  link_into_pulumi_bin
}

tmp_dirs=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local d
  for d in "${tmp_dirs[@]+"${tmp_dirs[@]}"}"; do
    rm -rf "$d"
  done
}
trap cleanup EXIT

# Sets $staging to a fresh directory next to $BIN (removed on exit unless it
# was moved into place).
new_staging() {
  mkdir -p "$ROOT"
  staging="$(mktemp -d "$ROOT/bin.staging.XXXXXX")"
  tmp_dirs+=("$staging")
  chmod 755 "$staging"
}

# --- 1. existing installation ------------------------------------------------
if complete_toolset "$BIN"; then
  link_into_pulumi_bin
  log "using cached Pulumi CLI v$VERSION"
  finish "$BIN"
fi
if [[ -d "$BIN" ]] && cli_has_version "$BIN/pulumi" && [[ -x "$BIN/pulumi-language-nodejs" ]]; then
  # Only the shim is missing.
  write_dynamic_provider_shim "$BIN/pulumi-resource-pulumi-nodejs"
  link_into_pulumi_bin
  log "using cached Pulumi CLI v$VERSION"
  finish "$BIN"
fi
if path_pulumi="$(command -v pulumi 2>/dev/null)" && [[ -n "$path_pulumi" ]]; then
  path_dir="$(cd "$(dirname "$path_pulumi")" && pwd -P)"
  if complete_toolset "$path_dir"; then
    log "using Pulumi CLI v$VERSION on PATH"
    finish "$path_dir"
  fi
  log "pulumi on PATH ($path_pulumi) is not a complete v$VERSION installation; ignoring it"
fi

# --- 2. official download ----------------------------------------------------
try_download() {
  local os arch url work staging
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) log "no release download for $(uname -s)"; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "no release download for $(uname -m)"; return 1 ;;
  esac
  command -v curl >/dev/null 2>&1 || { log "curl not found; skipping download"; return 1; }
  command -v tar >/dev/null 2>&1 || { log "tar not found; skipping download"; return 1; }

  url="https://get.pulumi.com/releases/sdk/pulumi-v$VERSION-$os-$arch.tar.gz"
  work="$(mktemp -d)"
  tmp_dirs+=("$work")
  log "downloading $url"
  # Short connect timeout so that an unreachable host fails fast; a stalled
  # transfer (under 10 kB/s for 30 s) is abandoned as well.
  if ! curl -fsSL --connect-timeout "${PULUMI_DOWNLOAD_TIMEOUT:-15}" \
    --speed-limit 10240 --speed-time 30 -o "$work/pulumi.tar.gz" "$url"; then
    log "download failed"
    return 1
  fi
  if ! tar -xzf "$work/pulumi.tar.gz" -C "$work" || [[ ! -x "$work/pulumi/pulumi" ]]; then
    log "downloaded archive is not a Pulumi release"
    return 1
  fi
  new_staging
  cp -a "$work/pulumi/." "$staging/"
  if [[ ! -x "$staging/pulumi-resource-pulumi-nodejs" ]]; then
    write_dynamic_provider_shim "$staging/pulumi-resource-pulumi-nodejs"
  fi
  if ! complete_toolset "$staging"; then
    log "downloaded release does not contain pulumi v$VERSION with the Node.js language host"
    return 1
  fi
  install_staging "$staging"
}

if [[ "${PULUMI_SKIP_DOWNLOAD:-}" != "1" ]] && try_download; then
  log "installed Pulumi CLI v$VERSION from the official release"
  finish "$BIN"
fi

# --- 3. build from the Go module proxy ---------------------------------------
find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    printf '%s' /usr/local/go/bin/go
  else
    return 1
  fi
}

# go_build <workdir> <module name> <import path> <output> <version label> <module@version>...
# Builds <import path> in a throwaway wrapper module that requires the given
# module versions.
go_build() {
  local work="$1" modname="$2" pkg="$3" out="$4" label="$5"
  shift 5
  local req
  rm -rf "$work"
  mkdir -p "$work"
  (
    cd "$work"
    printf 'module %s\n\ngo 1.21\n' "$modname" >go.mod
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >tools.go
    for req in "$@"; do
      "$GO" mod edit -require="$req"
    done
    if [[ -n "${EXTRA_REPLACES:-}" ]]; then
      local r
      while IFS= read -r r; do
        [[ -n "$r" ]] && "$GO" mod edit -replace="$r"
      done <<<"$EXTRA_REPLACES"
    fi
    log "resolving dependencies of $pkg"
    "$GO" mod tidy >&2
    log "compiling $pkg (this takes several minutes on a cold cache)"
    "$GO" build -buildvcs=false -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$label" \
      -o "$out" "$pkg" >&2
  )
}

try_go_build() {
  local base staging pkgmod replaces
  GO="$(find_go)" || { log "Go toolchain not found; cannot build from source"; return 1; }
  export GOWORK=off
  export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
  base="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-cli-build/v$VERSION"
  new_staging
  log "building Pulumi CLI v$VERSION from source with $("$GO" version 2>/dev/null || printf %s "$GO")"

  if cli_has_version "$BIN/pulumi"; then
    cp -a "$BIN/pulumi" "$staging/pulumi"
  else
    # pkg/v3's go.mod points sdk/v3 at ../sdk (dropped here: the wrapper
    # requires the same sdk/v3 version) and carries replace directives that a
    # dependent module must repeat; copy every replace that targets a module
    # version rather than a local directory.
    pkgmod="$("$GO" mod download -json "github.com/pulumi/pulumi/pkg/v3@v$VERSION" |
      sed -n 's/^[[:space:]]*"GoMod":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')" ||
      { log "github.com/pulumi/pulumi/pkg/v3@v$VERSION is not available"; return 1; }
    [[ -f "$pkgmod" ]] || { log "github.com/pulumi/pulumi/pkg/v3@v$VERSION is not available"; return 1; }
    replaces="$("$GO" mod edit -json "$pkgmod" | awk '
      /"Replace":/ { inrep = 1 }
      inrep && /"Old":/ { side = "old" }
      inrep && /"New":/ { side = "new" }
      inrep && /"Path":/ { gsub(/.*"Path": *"|",?$/, ""); if (side == "old") { oldp = $0; oldv = "" } else { newp = $0; newv = "" } }
      inrep && /"Version":/ { gsub(/.*"Version": *"|",?$/, ""); if (side == "old") oldv = $0; else newv = $0 }
      inrep && side == "new" && /^\t\t}/ {
        if (newv != "") print oldp (oldv != "" ? "@" oldv : "") "=" newp "@" newv
        side = ""
      }
      /^\t\]/ { inrep = 0 }
    ')"
    EXTRA_REPLACES="$replaces" go_build "$base/cli" pulumi-cli-build \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$staging/pulumi" "$VERSION" \
      "github.com/pulumi/pulumi/pkg/v3@v$VERSION" "github.com/pulumi/pulumi/sdk/v3@v$VERSION" ||
      { log "building the pulumi CLI failed"; return 1; }
  fi

  if [[ -x "$BIN/pulumi-language-nodejs" ]]; then
    cp -a "$BIN/pulumi-language-nodejs" "$staging/pulumi-language-nodejs"
  else
    EXTRA_REPLACES="" go_build "$base/language-nodejs" pulumi-language-nodejs-build \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
      "$staging/pulumi-language-nodejs" "$LANGHOST_SDK_VERSION" \
      "github.com/pulumi/pulumi/sdk/v3@v$LANGHOST_SDK_VERSION" ||
      { log "building the Node.js language host failed"; return 1; }
  fi

  write_dynamic_provider_shim "$staging/pulumi-resource-pulumi-nodejs"
  if ! cli_has_version "$staging/pulumi"; then
    log "the built pulumi does not report version v$VERSION"
    return 1
  fi
  install_staging "$staging"
}

if try_go_build; then
  log "built Pulumi CLI v$VERSION from source"
  finish "$BIN"
fi

die "could not make Pulumi CLI v$VERSION available. Tried: $BIN, a pulumi on PATH, \
the release download from get.pulumi.com, and a build from the Go module proxy \
(needs the go command and access to github.com/pulumi/pulumi/pkg/v3@v$VERSION, \
github.com/pulumi/pulumi/sdk/v3@v$VERSION and github.com/pulumi/pulumi/sdk/v3@v$LANGHOST_SDK_VERSION). \
Install pulumi v$VERSION (with pulumi-language-nodejs) on PATH, or fix the network access, and rerun."
