# shellcheck shell=bash
# Shared by the install-*.sh scripts that build a program from the Go module
# proxy. Source it after setting TOOL (the prefix of progress messages).
#
# The pattern: a throwaway "wrapper" module under the build directory requires
# the published module version, repeats the replace directives of that
# module's go.mod (a dependency's replace lines are ignored by Go, so a wrapper
# must carry them itself; replacements that point at a directory of the
# module's own repository are turned into published versions), and builds the
# wanted packages with -trimpath into a staging directory. The staging
# directory is moved into place as the cache directory only when everything in
# it is built, so an interrupted run leaves no half-filled cache.

log() { printf '%s: %s\n' "$TOOL" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$TOOL" "$*" >&2
  exit 1
}

# Root of the per-version binary caches.
BIN_CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/okta-rotation/bin"
# Throwaway wrapper modules live here (removed after a successful build).
BUILD_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/okta-rotation/build"

find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    printf '%s' /usr/local/go/bin/go
  else
    return 1
  fi
}

setup_go() {
  GO="$(find_go)" || die "the go command is not installed (looked on PATH and in /usr/local/go/bin)"
  export GOWORK=off
  export GOFLAGS="-mod=mod -buildvcs=false"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
  # Builds share the machine; stay out of the way of interactive work.
  NICE=(nice -n "${GO_BUILD_NICE:-19}")
}

# Seconds since $1 (a `date +%s` value), as "Nm Ss".
elapsed() {
  local s=$(($(date +%s) - $1))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

tmp_dirs=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup_tmp() {
  local d
  for d in "${tmp_dirs[@]+"${tmp_dirs[@]}"}"; do
    rm -rf "$d"
  done
}
trap cleanup_tmp EXIT

# new_staging <final dir>: sets $staging to a fresh directory next to the final
# one; it is removed on exit unless install_staging moved it into place.
new_staging() {
  local final="$1"
  mkdir -p "$(dirname "$final")"
  staging="$(mktemp -d "$final.staging.XXXXXX")"
  tmp_dirs+=("$staging")
  chmod 755 "$staging"
}

# install_staging <staging> <final dir>
install_staging() {
  local staging="$1" final="$2"
  rm -rf "$final.old"
  [[ -e "$final" ]] && mv "$final" "$final.old"
  mv "$staging" "$final"
  rm -rf "$final.old"
}

# module_gomod <module>@<version>: downloads the module into the module cache
# and prints the path of its go.mod. Fails (with the proxy's message on stderr)
# when the proxy refuses the version.
module_gomod() {
  local json gomod
  json="$("$GO" mod download -json "$1")" || {
    printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p' >&2
    return 1
  }
  gomod="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')"
  [[ -f "$gomod" ]] || return 1
  printf '%s\n' "$gomod"
}

# module_dir <module>@<version>: prints the module's directory in the module
# cache (downloading it first if needed).
module_dir() {
  "$GO" mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p'
}

# wrapper_replaces <go.mod> [<version for local replacements>]
# Prints the replace directives of a go.mod as `old[@v]=new@v` lines for
# `go mod edit -replace`. A replacement by a local directory (./api,
# ./staging/src/k8s.io/api) becomes a replacement by the published module of
# the same path, at the given version, or else at the version the go.mod
# requires.
wrapper_replaces() {
  local gomod="$1" localver="${2:-}"
  awk -v localver="$localver" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]*(\/\/.*)?$/, "", s); return s }
    function addreq(line,   f) {
      line = trim(line); if (line == "") return
      split(line, f, /[ \t]+/); req[f[1]] = f[2]
    }
    function addrep(line,   parts, o, n) {
      line = trim(line); if (line == "" || index(line, "=>") == 0) return
      split(line, parts, /[ \t]*=>[ \t]*/)
      nrep++; repold[nrep] = parts[1]; repnew[nrep] = parts[2]
    }
    /^require[ \t]*\(/ { block = "req"; next }
    /^replace[ \t]*\(/ { block = "rep"; next }
    /^[a-z]+[ \t]*\(/ { block = "other"; next }
    /^\)/ { block = ""; next }
    block == "req" { addreq($0); next }
    block == "rep" { addrep($0); next }
    /^require[ \t]/ { sub(/^require[ \t]+/, ""); addreq($0); next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); addrep($0); next }
    END {
      for (i = 1; i <= nrep; i++) {
        split(repold[i], o, /[ \t]+/); split(repnew[i], n, /[ \t]+/)
        old = o[1] (o[2] != "" ? "@" o[2] : "")
        if (n[1] ~ /^\.\.?\//) {
          v = localver != "" ? localver : req[o[1]]
          # Not required at all (etcd replaces go.etcd.io/etcd by
          # ./FORBIDDEN_DEPENDENCY to keep it out): nothing to replace.
          if (v == "") continue
          print old "=" o[1] "@" v
        } else {
          print old "=" n[1] "@" n[2]
        }
      }
    }
  ' "$gomod"
}

# init_wrapper <dir> <module name> <go version>
# Starts an empty wrapper module in <dir> (wiping what was there).
init_wrapper() {
  local dir="$1" name="$2" gover="$3"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'module %s\n\ngo %s\n' "$name" "$gover" >"$dir/go.mod"
}

# go_directive <go.mod>: the `go` version a go.mod declares.
go_directive() {
  sed -n 's/^go[[:space:]]\{1,\}\([0-9.]*\).*/\1/p' "$1" | head -n 1
}

# wrapper_tools <dir> <import path>...: a tools.go importing the packages, so
# that `go mod tidy` keeps their requirements.
wrapper_tools() {
  local dir="$1" p
  shift
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for p in "$@"; do printf '\t_ "%s"\n' "$p"; done
    printf ')\n'
  } >"$dir/tools.go"
}

# human_size <path>
human_size() { du -sh "$1" 2>/dev/null | cut -f1; }

# wrapper_build <work dir> <module>@<version> <local replace version> <output dir> <ldflags> <package>...
# Builds the packages (main packages of <module> or its dependencies) in a
# fresh wrapper module at <work dir> into <output dir>. <local replace
# version> is the version that local-directory replacements of the module's
# go.mod are pinned to ("" = the version the go.mod requires). Extra
# `old=new@v` replace lines may be passed in $EXTRA_REPLACES.
wrapper_build() {
  local work="$1" modver="$2" localver="$3" out="$4" ldflags="$5"
  shift 5
  local gomod replaces r
  gomod="$(module_gomod "$modver")" || { log "the module proxy refused $modver"; return 1; }
  replaces="$(wrapper_replaces "$gomod" "$localver")" || { log "cannot read the replace directives of $gomod"; return 1; }
  init_wrapper "$work" "$(basename "$work")-build" "$(go_directive "$gomod")"
  wrapper_tools "$work" "$@"
  (
    cd "$work"
    "$GO" mod edit -require="$modver"
    while IFS= read -r r; do
      [[ -n "$r" ]] && "$GO" mod edit -replace="$r"
    done <<<"$replaces${EXTRA_REPLACES:+$'\n'$EXTRA_REPLACES}"
    log "resolving dependencies of $modver ($(grep -c '=>' go.mod || true) replace directives in the wrapper)"
    "$GO" mod tidy >&2
    log "compiling $* (started $(date -u +%H:%M:%S) UTC)"
    "${NICE[@]}" "$GO" build -trimpath -ldflags "$ldflags" -o "$out/" "$@" >&2
  )
}
