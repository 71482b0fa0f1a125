#!/usr/bin/env bash
# Create or update the development virtualenv in .venv.
#
# Installs the package (editable) with everything the tests, the docs and
# the local stack's reference server need. Reinstalls only when a
# requirements file or setup.cfg changed since the last run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

python=${PYTHON:-python3}
venv=${SIDECAR_VENV:-$top/.venv}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "error: $python is older than Python 3.10" >&2
    exit 1
fi

inputs=(requirements.txt test-requirements.txt doc/requirements.txt
        setup.cfg)
stamp=$(cat "${inputs[@]}" 2>/dev/null | sha256sum | cut -d' ' -f1)

if [ ! -x "$venv/bin/python" ]; then
    echo "==> Creating $venv"
    "$python" -m venv "$venv"
fi
if [ "$(cat "$venv/.sidecar-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "==> Installing python-sidecarclient and test requirements"
    reqs=(-r requirements.txt -r test-requirements.txt)
    [ -f doc/requirements.txt ] && reqs+=(-r doc/requirements.txt)
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -e . "${reqs[@]}"
    echo "$stamp" > "$venv/.sidecar-stamp"
fi
