#!/usr/bin/env bash
# Installs what real delivery runs on, each from its cache when built before: the Vault server
# (install-vault.sh), etcd, the Kubernetes control plane and kwok (install-kube.sh), and the
# pulumi-kubernetes plugin (install-pulumi-kubernetes.sh, which installs the plugin with the Pulumi CLI, so
# install-pulumi.sh runs first in its chain). Progress on stderr; nothing on stdout.
#
# The three chains run side by side: a cold run builds from the Go module proxy, and each build has long
# stretches that use one core or none (module downloads, `go mod tidy`, the final link), which the other
# builds fill. See scripts/README.md for the times measured; a warm run takes a few seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# run_timed <name> <script>...: runs the scripts in order, prints each one's time, fails on the first failure.
run_timed() {
  local script start
  for script in "$@"; do
    start=$(date +%s)
    if ! bash "$here/$script" >/dev/null; then
      echo "install-delivery: $script failed after $(($(date +%s) - start)) s" >&2
      return 1
    fi
    echo "install-delivery: $script done in $(($(date +%s) - start)) s" >&2
  done
}

start_all=$(date +%s)
pids=()
run_timed install-vault.sh &
pids+=($!)
run_timed install-kube.sh &
pids+=($!)
run_timed install-pulumi.sh install-pulumi-kubernetes.sh &
pids+=($!)

failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
if [[ "$failed" != 0 ]]; then
  echo "install-delivery: a step failed (see above); run again to resume: finished builds are cached" >&2
  exit 1
fi
echo "install-delivery: everything in place in $(($(date +%s) - start_all)) s" >&2
