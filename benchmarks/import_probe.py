"""Which modules Sidecar's OpenStackClient modules add to a loaded OSC.

    python -X importtime benchmarks/import_probe.py MODULE...

Imports ``openstackclient.shell`` (and with it osc-lib, cliff and
keystoneauth, everything OpenStackClient loads before its plugins), then
each MODULE in turn, and prints JSON: for each MODULE the modules its
import added that were not loaded before it. Run it where the Sidecar
plugin is not registered, so that OpenStackClient does not load it
first; ``-X importtime`` gives the import times on standard error.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    import openstackclient.shell  # noqa: F401

    loaded = set(sys.modules)
    if any(name.startswith('sidecarclient') for name in loaded):
        sys.exit('sidecarclient was imported with OpenStackClient: run '
                 'this where the plugin is not installed')
    added = {}
    for name in sys.argv[1:]:
        # Not importlib.import_module: -X importtime does not see it.
        __import__(name)
        now = set(sys.modules)
        added[name] = sorted(now - loaded)
        loaded = now
    print(json.dumps(added))


if __name__ == '__main__':
    main()
