# Source this file (`. toolchain/env.sh`) to use the project's pulumi, plugins and venv by hand.
_penpal_root=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
_penpal_cache=${PENPAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/penpal-infra}
if [ ! -f "$_penpal_cache/cli-dir" ]; then
  echo "penpal-infra: the toolchain is not set up: run 'make setup'" >&2
else
  PENPAL_PULUMI_BIN_DIR=$(cat "$_penpal_cache/cli-dir")
  PENPAL_PLUGIN_DIR=$_penpal_cache/plugins/bin
  PENPAL_TOOLS_BIN=$_penpal_cache/bin
  PENPAL_PYTHON=$_penpal_root/.venv/bin/python
  PATH="$PENPAL_PULUMI_BIN_DIR:$_penpal_root/.venv/bin:$PENPAL_TOOLS_BIN:$PATH"
  # Offline: a missing plugin must fail at once instead of trying a download.
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  PULUMI_SKIP_UPDATE_CHECK=true
  export PENPAL_PULUMI_BIN_DIR PENPAL_PLUGIN_DIR PENPAL_TOOLS_BIN PENPAL_PYTHON PATH \
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION PULUMI_SKIP_UPDATE_CHECK
  # shellcheck source=toolchain/versions.env
  . "$_penpal_root/toolchain/versions.env"
  for _penpal_plugin in "hcloud $HCLOUD_PLUGIN_VERSION" "github $GITHUB_PLUGIN_VERSION"; do
    set -- $_penpal_plugin
    if [ ! -x "${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-$1-v$2/pulumi-resource-$1" ]; then
      echo "penpal-infra: resource plugin $1 v$2 is not installed in ${PULUMI_HOME:-$HOME/.pulumi}: run 'make setup'" >&2
    fi
  done
  unset _penpal_plugin
fi
unset _penpal_root _penpal_cache
