#!/usr/bin/env bash
# Installs versitygw (an S3 gateway; its POSIX backend serves a folder as S3 buckets) from the Go module
# proxy. The state-backend tests start it on 127.0.0.1 to run Pulumi's S3 backend against a real S3 server.
# Usage: tools/install_versitygw.sh [BIN_DIR]
# BIN_DIR defaults to ${PENPAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra}/bin; a second run is a no-op.
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
bin_dir=${1:-${PENPAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra}/bin}
target=$bin_dir/versitygw

# `go install` leaves main.Version at "git"; the build below stamps it, so the version check can read it.
installed=$([ -x "$target" ] && "$target" --version 2>/dev/null || true)
if printf '%s\n' "$installed" | grep -qx "Version  : $VERSITYGW_VERSION"; then
  echo "versitygw $VERSITYGW_VERSION already installed at $target"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install_versitygw: 'go' is not on PATH; install Go (1.24 or newer) and run 'make setup' again" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing versitygw $VERSITYGW_VERSION into $bin_dir (go install, a few minutes the first time)"
GOBIN=$(cd "$bin_dir" && pwd) CGO_ENABLED=0 \
  go install -trimpath -ldflags "-s -w -X main.Version=$VERSITYGW_VERSION" \
  "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
"$target" --version | head -n 1
