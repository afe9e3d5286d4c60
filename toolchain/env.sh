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
fi
unset _penpal_root _penpal_cache
