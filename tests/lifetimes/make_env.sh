#!/usr/bin/env bash
# Creates the lifetimes reference environment (idempotent).
#   tests/lifetimes/make_env.sh            -> .venv-lifetimes
#   KAMKIT_LIFETIMES_VENV=/path make_env.sh -> /path
# Then: export KAMKIT_LIFETIMES_PYTHON=<venv>/bin/python
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${KAMKIT_LIFETIMES_VENV:-.venv-lifetimes}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# (no `pip freeze | grep -q`: under pipefail it fails whenever grep stops reading early)
if ! "$venv/bin/python" -c "import importlib.metadata as m; raise SystemExit(m.version('lifetimes') != '0.11.3')" \
   >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
fi
"$venv/bin/python" -c "import lifetimes, numpy, pandas; print('lifetimes', lifetimes.__version__, 'numpy', numpy.__version__, 'pandas', pandas.__version__)"
echo "export KAMKIT_LIFETIMES_PYTHON=$(cd "$venv" && pwd)/bin/python"
