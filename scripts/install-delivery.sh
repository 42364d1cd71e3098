#!/usr/bin/env bash
# Installs what real delivery runs on, each from its cache when built before: the Vault server
# (install-vault.sh), etcd, the Kubernetes control plane and kwok (install-kube.sh), and the
# pulumi-kubernetes plugin (install-pulumi-kubernetes.sh, which needs the Pulumi CLI: run install-pulumi.sh
# first). Progress on stderr; nothing on stdout. A cold run builds from the Go module proxy (see
# scripts/README.md for the times measured); a warm one takes a few seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for script in install-vault.sh install-kube.sh install-pulumi-kubernetes.sh; do
  start=$(date +%s)
  bash "$here/$script" >/dev/null
  echo "install-delivery: $script done in $(($(date +%s) - start)) s" >&2
done
