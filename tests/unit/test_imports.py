"""What each entry point imports before it has any work to do.

``openstack`` imports the plugin module on every run, whatever the
command, and ``sidecar --version`` or ``sidecar help`` should not wait
for keystoneauth, requests or prettytable. Each check runs in a fresh
interpreter, where nothing has been imported yet.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

# Modules only a command that talks to the service needs.
HEAVY = ('keystoneauth1', 'requests', 'prettytable', 'urllib3')


def imported_by(code: str) -> dict[str, list[str]]:
    """Run ``code`` in a new interpreter; return what it printed as JSON.

    ``code`` calls ``report(key)`` to record the modules imported since
    its previous call (or since start-up).
    """
    prelude = textwrap.dedent(
        """
        import json, sys
        _seen = set(sys.modules)
        _found = {}

        def report(key):
            global _seen
            now = set(sys.modules)
            _found[key] = sorted(now - _seen)
            _seen = now
        """
    )
    done = subprocess.run(
        [sys.executable, '-c',
         prelude + textwrap.dedent(code)
         + '\nprint(json.dumps(_found))\n'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def heavy(modules: list[str]) -> list[str]:
    return [
        name for name in modules if name.split('.', 1)[0] in HEAVY
    ]


def test_plugin_adds_only_its_own_modules_to_a_loaded_osc() -> None:
    # What OpenStackClient has loaded when it imports its plugins:
    # osc-lib (and through it cliff and keystoneauth) and its own client
    # manager. Importing openstackclient.shell itself would load the
    # plugin through its entry point, hence this list.
    found = imported_by(
        """
        import osc_lib.shell
        import osc_lib.clientmanager
        import openstack.config
        report('osc')
        import sidecarclient.osc.plugin
        report('plugin')
        """
    )

    assert 'keystoneauth1.session' in found['osc']
    assert found['plugin'] == [
        'sidecarclient',
        'sidecarclient.osc',
        'sidecarclient.osc.plugin',
    ]


@pytest.mark.parametrize('argv', [[], ['--version'], ['help'],
                                  ['help', 'evacuates-events-list']])
def test_shell_answers_without_the_library(argv: list[str]) -> None:
    found = imported_by(
        f"""
        import contextlib, io
        import sidecarclient.shell
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                sidecarclient.shell.main({argv!r})
            except SystemExit:
                pass
        report('shell')
        """
    )

    assert heavy(found['shell']) == []
    assert not [
        name for name in found['shell']
        if name.startswith(('sidecarclient.v2', 'sidecarclient.common',
                            'sidecarclient.shell_commands'))
    ]


def test_the_heavy_modules_are_what_a_subcommand_loads() -> None:
    # The check above is worth something only if the subcommands'
    # module really brings these in.
    found = imported_by(
        """
        import sidecarclient.shell_commands
        report('commands')
        """
    )

    assert {name.split('.', 1)[0] for name in heavy(found['commands'])} >= {
        'keystoneauth1', 'requests', 'prettytable',
    }
