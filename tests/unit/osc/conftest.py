"""Ways to run the ``openstack sidecar`` commands in a unit test.

``sidecar`` runs a command in a small cliff application that loads the
commands from their entry points, as OpenStackClient does, and hands
them a real library client that sends a given token to
``fakes.ENDPOINT``: every request goes to requests-mock.

``openstack`` runs the real OpenStackClient shell in this process, so
that the plugin's ``make_client`` gets OSC's own session, region and
interface from the options, environment and clouds.yaml of the test.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cliff import app
from cliff import commandmanager

from tests.unit import fakes

COMMAND_GROUP = 'openstack.sidecar.v2'


@dataclasses.dataclass
class Result:
    """What a command run left behind."""

    code: int
    stdout: str
    # The exception cliff printed as the one-line error, if any.
    error: BaseException | None = None


class SidecarApp(app.App):
    """The sidecar commands in a cliff application, as OSC serves them."""

    def __init__(self, client: Any) -> None:
        self.output = io.StringIO()
        super().__init__(
            description='sidecar commands under test',
            version='0',
            command_manager=commandmanager.CommandManager(COMMAND_GROUP),
            stdin=io.StringIO(),
            stdout=self.output,
            stderr=io.StringIO(),
            deferred_help=True,
        )
        # What plugin.make_client gives OSC's client manager.
        self.client_manager = types.SimpleNamespace(sidecar=client)
        self.error: BaseException | None = None

    def configure_logging(self) -> None:
        # Leave the logging of the test runner alone: caplog sees it all.
        pass

    def clean_up(
        self, cmd: Any, result: int, err: BaseException | None
    ) -> None:
        self.error = err


@pytest.fixture
def sidecar(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run one command line such as ``sidecar('event', 'list')``."""
    # Tables are never resized to a terminal.
    monkeypatch.delenv('CLIFF_MAX_TERM_WIDTH', raising=False)
    monkeypatch.delenv('CLIFF_FIT_WIDTH', raising=False)

    def run(*argv: str) -> Result:
        shell = SidecarApp(fakes.token_client(retries=0))
        try:
            code = shell.run(['sidecar', *argv])
        except SystemExit as exc:  # argparse refused the arguments
            code = int(exc.code or 0)
        return Result(code, shell.output.getvalue(), shell.error)

    return run


@pytest.fixture
def openstack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., int]:
    """Run the real OSC shell with the given arguments; returns the code.

    The environment holds no OS_* variable and no clouds.yaml but the
    one a test writes to ``tmp_path / 'clouds.yaml'``.
    """
    from openstackclient import shell
    from osc_lib import clientmanager

    for name in list(os.environ):
        if name.startswith(('OS_', 'CLIFF_')):
            monkeypatch.delenv(name)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(tmp_path / 'clouds.yaml'))
    monkeypatch.chdir(tmp_path)

    # OSC keeps each plugin's client in one cache on the class, made for
    # a process that runs a single command: empty it before each run.
    cache = vars(clientmanager.ClientManager)['sidecar']

    def run(*argv: str) -> int:
        # OSC configures logging for the whole process: put it back.
        root = logging.getLogger()
        saved_root = (root.level, root.handlers[:])
        saved_levels = {
            name: logger.level
            for name, logger in logging.Logger.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
        }
        cache._handle = None
        try:
            return shell.OpenStackShell().run(list(argv))
        except SystemExit as exc:
            return int(exc.code or 0)
        finally:
            cache._handle = None
            root.setLevel(saved_root[0])
            root.handlers[:] = saved_root[1]
            for name, level in saved_levels.items():
                logging.getLogger(name).setLevel(level)

    return run
