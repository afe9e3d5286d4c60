#!/usr/bin/env bash
# Installs actionlint (the GitHub Actions workflow linter the test run uses) from the Go module proxy.
# Usage: tools/install_actionlint.sh [BIN_DIR]
# BIN_DIR defaults to ${PENPAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra}/bin; a second run is a no-op.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
bin_dir=${1:-${PENPAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra}/bin}
target=$bin_dir/actionlint

if [ -x "$target" ] && "$target" -version 2>/dev/null | head -n 1 | grep -qx "$ACTIONLINT_VERSION"; then
  echo "actionlint $ACTIONLINT_VERSION already installed at $target"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install_actionlint: 'go' is not on PATH; install Go (1.24 or newer) and run 'make setup' again" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing actionlint $ACTIONLINT_VERSION into $bin_dir (go install)"
# GOBIN must be absolute for go install.
GOBIN=$(cd "$bin_dir" && pwd) CGO_ENABLED=0 \
  go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
"$target" -version | head -n 1
