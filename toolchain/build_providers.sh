#!/usr/bin/env bash
# Build the pulumi-resource-hcloud and pulumi-resource-github plugins from published Go modules
# (upstream Terraform providers + pulumi-terraform-bridge) and our own mapping in toolchain/providers/.
#
# Usage: toolchain/build_providers.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/penpal-infra/plugins-<key>, where <key> hashes the
#   plugin versions, the Go version, this script and our Go sources. Binaries land in CACHE_DIR/bin.
#   When CACHE_DIR/bin already holds both plugins built for the same key, nothing is rebuilt.
#
# Per provider: copy our module into CACHE_DIR/work, build its tfgen, let tfgen write schema.json and
# bridge-metadata.json next to the mapping (both are //go:embed-ed), then build the plugin.
# Nothing generated is written inside the repository.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sources=$root/toolchain/providers
if [ -f "$root/toolchain/versions.env" ]; then
  # shellcheck source=toolchain/versions.env
  . "$root/toolchain/versions.env"
fi
# Each version pairs with the Python SDK pin in requirements.txt (pulumi-hcloud, pulumi-github).
hcloud_version=${HCLOUD_PLUGIN_VERSION:-1.31.0}
github_version=${GITHUB_PLUGIN_VERSION:-6.12.1}

build_key=$(
  {
    echo "hcloud=$hcloud_version github=$github_version $(go env GOVERSION)"
    cat "$0"
    (cd "$sources" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort \
      | xargs sha256sum)
  } | sha256sum | cut -c1-16
)
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra/plugins-$build_key}
bin=$cache/bin
work=$cache/work
step() { printf '==> %s\n' "$*"; }

if [ -x "$bin/pulumi-resource-hcloud" ] && [ -x "$bin/pulumi-resource-github" ] \
   && [ "$(cat "$cache/build-key" 2>/dev/null)" = "$build_key" ]; then
  step "provider plugins up to date in $bin (key $build_key)"
  exit 0
fi

# The checksum database behind this proxy does not answer for every module; the committed go.sum
# of each of our modules pins every hash instead (-mod=readonly refuses anything not in it).
export GOSUMDB=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0

build_provider() {
  local name=$1 version=$2 started=$SECONDS
  local module=penpalinfra/providers/$name dir=$work/$name
  local ldflags="-s -w -X $module/providerinfo.Version=$version"
  step "$name v$version: copying sources to $dir"
  rm -rf "$dir" && mkdir -p "$work" && cp -R "$sources/$name" "$dir"
  # tfgen itself embeds these two files, so start from empty placeholders.
  echo '{}' > "$dir/providerinfo/bridge-metadata.json"
  echo '{}' > "$dir/providerinfo/schema.json"
  step "$name: building pulumi-tfgen-$name"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$dir/pulumi-tfgen-$name" "./cmd/pulumi-tfgen-$name")
  step "$name: generating schema.json and bridge-metadata.json"
  (cd "$dir" && "./pulumi-tfgen-$name" "$dir/providerinfo" > "$dir/tfgen.log" 2>&1) \
    || { cat "$dir/tfgen.log" >&2; return 1; }
  step "$name: building pulumi-resource-$name"
  mkdir -p "$bin"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin/pulumi-resource-$name.tmp" \
    "./cmd/pulumi-resource-$name")
  mv "$bin/pulumi-resource-$name.tmp" "$bin/pulumi-resource-$name"
  step "$name: done in $((SECONDS - started))s ($(du -h "$bin/pulumi-resource-$name" | cut -f1))"
}

step "building provider plugins into $bin (key $build_key; cold builds take several minutes)"
rm -f "$cache/build-key"
build_provider hcloud "$hcloud_version"
build_provider github "$github_version"
echo "$build_key" > "$cache/build-key"
step "provider plugins ready in $bin"
