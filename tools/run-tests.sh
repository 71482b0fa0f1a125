#!/usr/bin/env bash
# Run every test of python-sidecarclient: style checks, unit tests,
# functional tests against a real Keystone and the reference Sidecar
# server (started and stopped by the tests themselves), and the docs
# and release notes builds. Extra arguments go to pytest.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

tools/venv.sh
bin=$top/.venv/bin

echo "==> Style checks (ruff, flake8)"
code=()
for dir in sidecarclient tests tools benchmarks doc/source; do
    [ -d "$dir" ] && code+=("$dir")
done
"$bin/ruff" check "${code[@]}"
"$bin/flake8" "${code[@]}"
echo "==> Type checks (mypy)"
"$bin/mypy" sidecarclient

echo "==> Unit and functional tests"
"$bin/pytest" tests "$@"

if [ -d doc/source ]; then
    echo "==> Documentation"
    rm -rf doc/build
    "$bin/sphinx-build" -q -W -b html doc/source doc/build/html
    "$bin/python" tools/check_docs.py doc/build/html
fi
if [ -d releasenotes/source ]; then
    echo "==> Release notes"
    rm -rf releasenotes/build
    "$bin/sphinx-build" -q -a -E -W -b html releasenotes/source \
        releasenotes/build/html
fi
echo "==> All tests passed"
