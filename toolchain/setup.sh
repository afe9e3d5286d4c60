#!/usr/bin/env bash
# Set up everything the project runs with, from the project's own files:
#   1. .venv with the pinned requirements (runtime: requirements.txt; tests and checks: requirements-dev.txt);
#   2. the `pulumi` CLI (one on PATH if its version fits, else built from published Go modules),
#      with our Python language host and dynamic-provider launcher installed next to it;
#   3. the hcloud and github provider plugins (toolchain/build_providers.sh), installed into the
#      Pulumi plugin cache;
#   4. actionlint (tools/install_actionlint.sh) and versitygw, the S3 server of the state-backend tests
#      (tools/install_versitygw.sh);
#   5. Debian's openssh-server for the tests' own sshd (tools/install_sshd.sh).
# Builds are cached under ${XDG_CACHE_HOME:-~/.cache}/penpal-infra keyed by version: a second run takes seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=toolchain/versions.env
. "$root/toolchain/versions.env"
cache=${PENPAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra}
cli_dir=$cache/pulumi-v$PULUMI_CLI_VERSION/bin
step() { printf '==> %s\n' "$*"; }

step "Python virtualenv (.venv) from requirements.txt + requirements-dev.txt"
# One hash over both files: a change to either reinstalls (requirements-dev.txt includes requirements.txt).
req_hash=$(cat "$root/requirements.txt" "$root/requirements-dev.txt" | sha256sum | cut -c1-16)
if [ ! -x "$root/.venv/bin/python" ]; then python3 -m venv "$root/.venv"; fi
if [ "$(cat "$root/.venv/.requirements-hash" 2>/dev/null)" != "$req_hash" ]; then
  "$root/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements-dev.txt"
  echo "$req_hash" > "$root/.venv/.requirements-hash"
fi

step "pulumi CLI v$PULUMI_CLI_VERSION"
ambient=$(command -v pulumi || true)
if [ -n "$ambient" ] && [ "$(dirname "$(readlink -f "$ambient")")" != "$cli_dir" ] \
   && [ "$("$ambient" version 2>/dev/null)" = "v$PULUMI_CLI_VERSION" ] \
   && [ -x "$(dirname "$(readlink -f "$ambient")")/pulumi-language-python" ]; then
  cli_dir=$(dirname "$(readlink -f "$ambient")")
  echo "using $ambient"
elif [ -x "$cli_dir/pulumi" ] && [ "$("$cli_dir/pulumi" version)" = "v$PULUMI_CLI_VERSION" ]; then
  echo "cached at $cli_dir"
else
  echo "building from the Go module proxy into $cli_dir (a few minutes the first time)"
  src=$cache/pulumi-v$PULUMI_CLI_VERSION/src
  rm -rf "$src" && mkdir -p "$src"
  (
    cd "$src"
    go mod init penpal.local/pulumi-cli >/dev/null 2>&1
    # The CLI's own module has replace directives, so `go install pkg@version` is refused: require it
    # as a tool of a scratch module instead, with the sdk at the same version.
    go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_CLI_VERSION" \
      "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_CLI_VERSION"
    CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_CLI_VERSION" \
      -o "$cli_dir/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
  mv "$cli_dir/pulumi.tmp" "$cli_dir/pulumi"
  echo "built $("$cli_dir/pulumi" version)"
fi

# The engine looks for the bundled `python` language host and `pulumi-python` resource plugin next to
# the `pulumi` binary; ours are Python scripts of this repo (no Go language host is served by the proxy).
if [ "$cli_dir" = "$cache/pulumi-v$PULUMI_CLI_VERSION/bin" ]; then
  install -m 0755 "$root/toolchain/bin/pulumi-language-python" "$root/toolchain/bin/pulumi-resource-pulumi-python" "$cli_dir/"
  install -m 0644 "$root/toolchain/language_host.py" "$root/toolchain/run_program.py" \
    "$root/toolchain/program_stack_traces.py" "$root/toolchain/program_output_wait.py" "$cli_dir/"
fi

export PATH="$cli_dir:$root/.venv/bin:$PATH" PULUMI_SKIP_UPDATE_CHECK=true

step "provider plugins (hcloud v$HCLOUD_PLUGIN_VERSION, github v$GITHUB_PLUGIN_VERSION)"
"$root/toolchain/build_providers.sh" "$cache/plugins"
plugin_dir=$cache/plugins/bin
pulumi_home=${PULUMI_HOME:-$HOME/.pulumi}
for spec in "hcloud $HCLOUD_PLUGIN_VERSION" "github $GITHUB_PLUGIN_VERSION"; do
  set -- $spec
  installed=$pulumi_home/plugins/resource-$1-v$2/pulumi-resource-$1
  if cmp -s "$installed" "$plugin_dir/pulumi-resource-$1"; then
    echo "resource plugin $1 v$2 already installed"
  else
    pulumi plugin install resource "$1" "$2" --reinstall --file "$plugin_dir/pulumi-resource-$1" >/dev/null
    echo "installed resource plugin $1 v$2 into $pulumi_home/plugins"
  fi
done

step "actionlint"
"$root/tools/install_actionlint.sh" "$cache/bin"

step "versitygw (S3 server for the state-backend tests)"
"$root/tools/install_versitygw.sh" "$cache/bin"

step "OpenSSH server (the registry-login tests run their own sshd on 127.0.0.1)"
"$root/tools/install_sshd.sh"

printf '%s\n' "$cli_dir" > "$cache/cli-dir"
step "ready: pulumi $(pulumi version) at $cli_dir"
