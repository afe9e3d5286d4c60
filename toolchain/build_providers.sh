#!/usr/bin/env bash
# Build the pulumi-resource-hcloud and pulumi-resource-github plugins from published Go modules
# (upstream Terraform providers + pulumi-terraform-bridge) and our own mapping in toolchain/providers/.
#
# Usage: toolchain/build_providers.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/penpal-infra/plugins-<key>, where <key> hashes the
#   plugin versions, the Go version, this script and our Go sources. Binaries land in CACHE_DIR/bin.
#   Each plugin is rebuilt only when its own key (stored beside it as .pulumi-resource-NAME.key) changed.
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

# A provider's key covers everything its binary is built from; the default cache dir is keyed by both.
provider_key() {
  {
    echo "$1=$2 $(go env GOVERSION)"
    cat "$0"
    (cd "$sources/$1" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort \
      | xargs sha256sum)
  } | sha256sum | cut -c1-16
}
hcloud_key=$(provider_key hcloud "$hcloud_version")
github_key=$(provider_key github "$github_version")
build_key=$(echo "$hcloud_key $github_key" | sha256sum | cut -c1-16)
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra/plugins-$build_key}
bin=$cache/bin
work=$cache/work
step() { printf '==> %s\n' "$*"; }

up_to_date() {  # name key
  [ -x "$bin/pulumi-resource-$1" ] && [ "$(cat "$bin/.pulumi-resource-$1.key" 2>/dev/null)" = "$2" ]
}

# The checksum database behind this proxy does not answer for every module; the committed go.sum
# of each of our modules pins every hash instead (-mod=readonly refuses anything not in it).
export GOSUMDB=off GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0

build_provider() {
  local name=$1 version=$2 key=$3 started=$SECONDS
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
  # tfgen leaves the plugin version out of schema.json (so the file is stable); the plugin reports it.
  python3 -c 'import json, sys
path, version = sys.argv[1:]
with open(path) as f:
    schema = json.load(f)
schema["version"] = version
with open(path, "w") as f:
    json.dump(schema, f)' "$dir/providerinfo/schema.json" "$version"
  step "$name: building pulumi-resource-$name"
  mkdir -p "$bin"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin/pulumi-resource-$name.tmp" \
    "./cmd/pulumi-resource-$name")
  mv "$bin/pulumi-resource-$name.tmp" "$bin/pulumi-resource-$name"
  echo "$key" > "$bin/.pulumi-resource-$name.key"
  step "$name: done in $((SECONDS - started))s ($(du -h "$bin/pulumi-resource-$name" | cut -f1))"
}

for spec in "hcloud $hcloud_version $hcloud_key" "github $github_version $github_key"; do
  read -r name version key <<< "$spec"
  if up_to_date "$name" "$key"; then
    step "$name v$version: up to date in $bin (key $key)"
  else
    step "$name v$version: building into $bin (key $key; a cold build takes a few minutes)"
    build_provider "$name" "$version" "$key"
  fi
done
step "provider plugins ready in $bin"
