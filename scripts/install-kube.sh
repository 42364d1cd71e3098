#!/usr/bin/env bash
# Makes a Kubernetes control plane without nodes available: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler (and kubectl), plus
# kwok, which plays the nodes and makes pods Ready without a container runtime.
#
# Each part is cached by version in its own directory:
#   ${XDG_CACHE_HOME:-~/.cache}/okta-rotation/bin/etcd-<version>/etcd
#   .../bin/kube-<version>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl}
#   .../bin/kwok-<version>/kwok and .../bin/kwok-<version>/stages/ (the stage
#   configurations the kwok module ships: pod/fast, node/fast, ...)
# A part that is cached is not rebuilt.
#
# etcd: Debian's etcd-server package when apt offers one at least
# ETCD_MIN_VERSION (Kubernetes 1.36 supports etcd >= 3.5.24; bookworm has
# 3.4.23, too old), else go.etcd.io/etcd/server/v3 from the Go module proxy.
# Kubernetes: k8s.io/kubernetes, whose go.mod replaces its 33 staging modules
# (k8s.io/api, k8s.io/client-go, ...) by directories of the repository; the
# wrapper module replaces them by the published v0.<minor>.<patch> versions.
#
# stdout: three lines, the directories of etcd, of the Kubernetes binaries and
# of kwok (in that order), so that
#   PATH="$(scripts/install-kube.sh | paste -sd: -):$PATH"
# puts them all on PATH. Progress on stderr.
#
# Environment:
#   KUBE_VERSION       default 1.36.1 (staging modules at 0.36.1)
#   ETCD_VERSION       default 3.6.16 (when built from source)
#   ETCD_MIN_VERSION   oldest Debian etcd accepted, default 3.5.24
#   ETCD_FROM_APT=0    never use Debian's package
#   KWOK_VERSION       default 0.8.0
#   KUBE_WITH_KUBECTL  1 to build kubectl as well (nothing here uses it; default 0)
#   GO_BUILD_NICE      niceness of the builds (default 19)
set -euo pipefail

TOOL=install-kube
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/go-wrapper.sh
. "$script_dir/lib/go-wrapper.sh"

KUBE_VERSION="${KUBE_VERSION:-1.36.1}"
KUBE_VERSION="${KUBE_VERSION#v}"
STAGING_VERSION="0.${KUBE_VERSION#*.}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
ETCD_VERSION="${ETCD_VERSION#v}"
ETCD_MIN_VERSION="${ETCD_MIN_VERSION:-3.5.24}"
KWOK_VERSION="${KWOK_VERSION:-0.8.0}"
KWOK_VERSION="${KWOK_VERSION#v}"
WITH_KUBECTL="${KUBE_WITH_KUBECTL:-0}"

KUBE_BINS=(kube-apiserver kube-controller-manager kube-scheduler)
[[ "$WITH_KUBECTL" == "1" ]] && KUBE_BINS+=(kubectl)

# cache_complete <dir> <executable>...: the directory was installed whole (it has
# BUILD-INFO, written last) and holds the executables.
cache_complete() {
  local dir="$1" b
  shift
  [[ -f "$dir/BUILD-INFO" ]] || return 1
  for b in "$@"; do [[ -x "$dir/$b" ]] || return 1; done
}

# version_ge A B: A >= B for dotted versions (Debian suffixes ignored).
version_ge() {
  local a="${1%%[-+~]*}" b="${2%%[-+~]*}"
  [[ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n 1)" == "$b" ]]
}

go_ready=""
need_go() {
  [[ -n "$go_ready" ]] && return 0
  setup_go
  go_ready=1
}

# --- etcd --------------------------------------------------------------------
# Debian's candidate version of etcd-server, if apt knows the package.
apt_etcd_version() {
  command -v apt-cache >/dev/null 2>&1 || return 1
  local v
  v="$(apt-cache policy etcd-server 2>/dev/null | sed -n 's/^[[:space:]]*Candidate:[[:space:]]*//p' | head -n 1)"
  [[ -n "$v" && "$v" != "(none)" ]] || return 1
  printf '%s' "$v"
}

install_etcd() {
  local aptv="" dest start
  if [[ "${ETCD_FROM_APT:-1}" != "0" ]] && aptv="$(apt_etcd_version)"; then
    local upstream="${aptv#*:}"
    upstream="${upstream%%-*}"
    if version_ge "$upstream" "$ETCD_MIN_VERSION"; then
      dest="$BIN_CACHE_ROOT/etcd-$upstream"
      if cache_complete "$dest" etcd; then
        log "using cached etcd $upstream (Debian package)"
        ETCD_DIR="$dest"
        return 0
      fi
      log "installing Debian's etcd-server $aptv"
      if ! dpkg -s etcd-server >/dev/null 2>&1; then
        [[ "$(id -u)" == "0" ]] || die "installing etcd-server needs root (or set ETCD_FROM_APT=0)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server >&2
      fi
      new_staging "$dest"
      cp /usr/bin/etcd "$staging/etcd"
      printf 'Debian package etcd-server %s\n' "$aptv" >"$staging/BUILD-INFO"
      install_staging "$staging" "$dest"
      ETCD_DIR="$dest"
      return 0
    fi
    log "Debian's etcd-server is $aptv, older than the $ETCD_MIN_VERSION Kubernetes $KUBE_VERSION supports; building etcd $ETCD_VERSION instead"
  fi

  dest="$BIN_CACHE_ROOT/etcd-$ETCD_VERSION"
  if cache_complete "$dest" etcd; then
    log "using cached etcd $ETCD_VERSION"
    ETCD_DIR="$dest"
    return 0
  fi
  need_go
  start=$(date +%s)
  log "building etcd $ETCD_VERSION (go.etcd.io/etcd/server/v3) with $("$GO" version); about 1-2 minutes on idle cores"
  new_staging "$dest"
  wrapper_build "$BUILD_ROOT/etcd-$ETCD_VERSION" "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" "" \
    "$staging" "-s -w" go.etcd.io/etcd/server/v3 ||
    die "building etcd $ETCD_VERSION failed (see above)"
  # go build names the binary after the module path without its /v3.
  for b in server v3; do [[ -x "$staging/$b" ]] && mv "$staging/$b" "$staging/etcd"; done
  "$staging/etcd" --version 2>/dev/null | grep -q "etcd Version: $ETCD_VERSION" ||
    die "the built etcd does not report version $ETCD_VERSION"
  printf 'module go.etcd.io/etcd/server/v3 v%s\nbuilt with %s on %s\n' "$ETCD_VERSION" \
    "$("$GO" version)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$staging/BUILD-INFO"
  install_staging "$staging" "$dest"
  rm -rf "$BUILD_ROOT/etcd-$ETCD_VERSION"
  log "built etcd $ETCD_VERSION in $(elapsed "$start") ($(human_size "$dest"))"
  ETCD_DIR="$dest"
}

# --- Kubernetes --------------------------------------------------------------
install_kubernetes() {
  local dest="$BIN_CACHE_ROOT/kube-$KUBE_VERSION" start pkgs=() b ld major minor
  if cache_complete "$dest" "${KUBE_BINS[@]}"; then
    log "using cached Kubernetes v$KUBE_VERSION (${KUBE_BINS[*]})"
    KUBE_DIR="$dest"
    return 0
  fi
  need_go
  start=$(date +%s)
  log "building Kubernetes v$KUBE_VERSION: ${KUBE_BINS[*]} (k8s.io/kubernetes, staging modules v$STAGING_VERSION) with $("$GO" version)"
  log "about 4 minutes on 2 idle cores for the three servers, more with kubectl or a busy machine"
  for b in "${KUBE_BINS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  major="${KUBE_VERSION%%.*}"
  minor="${KUBE_VERSION#*.}"
  minor="${minor%%.*}"
  # What hack/lib/version.sh stamps into a release build, for both the
  # server (component-base) and the client (client-go) version packages.
  ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  new_staging "$dest"
  wrapper_build "$BUILD_ROOT/kube-$KUBE_VERSION" "k8s.io/kubernetes@v$KUBE_VERSION" "v$STAGING_VERSION" \
    "$staging" "$ld" "${pkgs[@]}" ||
    die "building Kubernetes v$KUBE_VERSION failed (see above)"
  "$staging/kube-apiserver" --version 2>/dev/null | grep -q "Kubernetes v$KUBE_VERSION" ||
    die "the built kube-apiserver does not report v$KUBE_VERSION"
  printf 'module k8s.io/kubernetes v%s, staging modules replaced by v%s\nbuilt with %s on %s\n' \
    "$KUBE_VERSION" "$STAGING_VERSION" "$("$GO" version)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$staging/BUILD-INFO"
  install_staging "$staging" "$dest"
  rm -rf "$BUILD_ROOT/kube-$KUBE_VERSION"
  log "built Kubernetes v$KUBE_VERSION in $(elapsed "$start") ($(human_size "$dest"))"
  KUBE_DIR="$dest"
}

# --- kwok --------------------------------------------------------------------
install_kwok() {
  local dest="$BIN_CACHE_ROOT/kwok-$KWOK_VERSION" start src
  if cache_complete "$dest" kwok && [[ -d "$dest/stages" ]]; then
    log "using cached kwok v$KWOK_VERSION"
    KWOK_DIR="$dest"
    return 0
  fi
  need_go
  start=$(date +%s)
  log "building kwok v$KWOK_VERSION (sigs.k8s.io/kwok) with $("$GO" version); 1-3 minutes on idle cores"
  new_staging "$dest"
  wrapper_build "$BUILD_ROOT/kwok-$KWOK_VERSION" "sigs.k8s.io/kwok@v$KWOK_VERSION" "" \
    "$staging" "-s -w" sigs.k8s.io/kwok/cmd/kwok ||
    die "building kwok v$KWOK_VERSION failed (see above)"
  # The stage configurations (kustomize/stage/<kind>/<set>/*.yaml) tell kwok
  # how to move nodes and pods through their lifecycle; without a container
  # runtime they are what makes a pod Ready. Copy them, without test data.
  src="$(module_dir "sigs.k8s.io/kwok@v$KWOK_VERSION")/kustomize/stage"
  [[ -d "$src" ]] || die "the kwok module has no kustomize/stage directory"
  (
    cd "$src"
    find . -name testdata -prune -o -type f -name '*.yaml' ! -name kustomization.yaml -print |
      while IFS= read -r f; do
        mkdir -p "$staging/stages/$(dirname "$f")"
        cp "$f" "$staging/stages/$f"
      done
  )
  chmod -R u+w,go-w "$staging/stages"
  "$staging/kwok" --version >/dev/null 2>&1 || die "the built kwok does not run"
  printf 'module sigs.k8s.io/kwok v%s (stages/ from its kustomize/stage)\nbuilt with %s on %s\n' \
    "$KWOK_VERSION" "$("$GO" version)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$staging/BUILD-INFO"
  install_staging "$staging" "$dest"
  rm -rf "$BUILD_ROOT/kwok-$KWOK_VERSION"
  log "built kwok v$KWOK_VERSION in $(elapsed "$start")"
  KWOK_DIR="$dest"
}

install_etcd
install_kubernetes
install_kwok
printf '%s\n' "$ETCD_DIR" "$KUBE_DIR" "$KWOK_DIR"
