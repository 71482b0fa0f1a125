"""Fixtures of the functional tests: the local stack of tools/stack.py.

``stack`` (session) brings up Keystone and the reference Sidecar servers
with ``tools/stack.py up``, which takes under a second when they already
run, and tells the tests where everything is. The servers it had to
start it stops at the end, unless ``SIDECAR_STACK_KEEP`` is set. The
first run on a machine installs Keystone: one to three minutes.

``reference_server_factory`` starts throwaway reference servers (a fresh
database, a free port) for tests that need an empty server or one they
can stop; ``stopped_sidecar`` stops the stack's own auth server for the
length of one test.

Every test under tests/functional gets the ``functional`` mark, so
``pytest -m 'not functional'`` runs without the stack.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
STACK_SCRIPT = REPO / 'tools' / 'stack.py'
HERE = Path(__file__).resolve().parent

READY_TIMEOUT = 60


def _load_stack_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        '_sidecar_stack', STACK_SCRIPT
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.functional)


@dataclasses.dataclass(frozen=True)
class User:
    username: str
    password: str
    project_name: str
    user_domain_name: str
    project_domain_name: str


@dataclasses.dataclass(frozen=True)
class Stack:
    """Where the stack's servers are and who may use them.

    ``sidecar_url``/``noauth_url`` are the servers' roots
    (``http://127.0.0.1:PORT``); ``sidecar_endpoint``/``noauth_endpoint``
    are the v2 endpoints, as registered in the catalog.
    """

    info: dict[str, Any]
    auth_url: str
    region_name: str
    admin: User
    demo: User
    sidecar_url: str
    sidecar_endpoint: str
    noauth_url: str
    noauth_endpoint: str
    openrc: Path
    openrc_demo: Path
    clouds_yaml: Path

    @classmethod
    def from_json(cls, info: dict[str, Any]) -> Stack:
        return cls(
            info=info,
            auth_url=info['keystone']['auth_url'],
            region_name=info['region_name'],
            admin=User(**info['users']['admin']),
            demo=User(**info['users']['demo']),
            sidecar_url=info['sidecar']['url'],
            sidecar_endpoint=info['sidecar']['endpoint'],
            noauth_url=info['sidecar_noauth']['url'],
            noauth_endpoint=info['sidecar_noauth']['endpoint'],
            openrc=Path(info['openrc']),
            openrc_demo=Path(info['openrc_demo']),
            clouds_yaml=Path(info['clouds_yaml']),
        )

    def openrc_vars(self, user: str = 'admin') -> dict[str, str]:
        """The variables the user's openrc file exports."""
        path = self.openrc if user == 'admin' else self.openrc_demo
        variables = {}
        for line in path.read_text().splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ['export']:
                name, _, value = words[1].partition('=')
                variables[name] = value
        return variables

    def env(self, user: str = 'admin', **extra: str) -> dict[str, str]:
        """An environment for a subprocess, as after sourcing openrc.

        Every ``OS_*`` variable of this process (``OS_CLOUD`` among them)
        is dropped first; ``extra`` adds or overrides variables.
        """
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith('OS_')
        }
        env.update(self.openrc_vars(user))
        env.update(extra)
        return env

    def cloud_env(self, **extra: str) -> dict[str, str]:
        """An environment with no ``OS_*`` but the stack's clouds.yaml.

        For ``openstack --os-cloud sidecar-admin`` (or ``sidecar-demo``).
        """
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith('OS_')
        }
        env['OS_CLIENT_CONFIG_FILE'] = str(self.clouds_yaml)
        env.update(extra)
        return env

    def token(self, user: str = 'admin') -> str:
        """A project-scoped token for ``admin`` or ``demo``."""
        who = self.admin if user == 'admin' else self.demo
        response = requests.post(
            self.auth_url + '/auth/tokens',
            json={
                'auth': {
                    'identity': {
                        'methods': ['password'],
                        'password': {
                            'user': {
                                'name': who.username,
                                'password': who.password,
                                'domain': {'name': who.user_domain_name},
                            }
                        },
                    },
                    'scope': {
                        'project': {
                            'name': who.project_name,
                            'domain': {'name': who.project_domain_name},
                        }
                    },
                }
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.headers['X-Subject-Token']


def run_stack(
    *args: str, echo: Callable[[str], None] | None = None
) -> tuple[int, str]:
    """Run tools/stack.py; return its exit code and its output."""
    lines = []
    with subprocess.Popen(
        [sys.executable, str(STACK_SCRIPT), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if echo is not None:
                echo(line.rstrip('\n'))
        # stack.py bounds each of its own waits.
        code = process.wait()
    return code, ''.join(lines)


def _terminal_echo(config: pytest.Config) -> Callable[[str], None] | None:
    """Print past output capture, to show the progress of a long start."""
    reporter = config.pluginmanager.get_plugin('terminalreporter')
    capture = config.pluginmanager.get_plugin('capturemanager')
    if reporter is None or capture is None:
        return None

    def echo(line: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return echo


@pytest.fixture(scope='session')
def stack(pytestconfig: pytest.Config) -> Iterator[Stack]:
    """The running stack; what is started here is stopped at the end."""
    tool = _load_stack_module()
    paths = tool.stack_paths()
    running = {
        name
        for name in tool.SERVER_NAMES
        if tool.read_record(paths, name) is not None
    }
    started = [name for name in tool.SERVER_NAMES if name not in running]

    echo = _terminal_echo(pytestconfig)
    code, output = run_stack('up', echo=echo if started else None)
    if code != 0:
        pytest.fail(f'tools/stack.py up failed:\n{output}', pytrace=False)
    yield Stack.from_json(json.loads(paths.stack_json.read_text()))

    if started and not os.environ.get('SIDECAR_STACK_KEEP'):
        code, output = run_stack('down', *started)
        if code != 0 and echo is not None:
            echo(f'tools/stack.py down failed:\n{output}')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ReferenceServer:
    """A reference Sidecar server of a test's own, on a free port.

    With ``noauth=False`` it validates tokens against the stack's
    Keystone, configured by ``auth_config`` (an authtoken.conf like the
    stack's, which is the default).
    """

    def __init__(
        self,
        stack: Stack,
        db_path: Path,
        log_path: Path,
        noauth: bool = True,
        port: int | None = None,
        auth_config: Path | None = None,
    ) -> None:
        self.db_path = db_path
        self.log_path = log_path
        self.port = port or free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.endpoint = self.url + '/v2'
        self._process: subprocess.Popen[bytes] | None = None
        self._command = [
            stack.info['server_python'],
            '-m',
            'sidecar_ref',
            '--port',
            str(self.port),
            '--db',
            str(db_path),
        ]
        if noauth:
            self._command.append('--noauth')
        else:
            conf = auth_config or stack.info['authtoken_conf']
            self._command += ['--auth-config', str(conf)]
        self._env = dict(
            os.environ, PYTHONPATH=stack.info['server_pythonpath']
        )

    def start(self) -> None:
        """Start (again, on the same port and database) and wait for it."""
        assert self._process is None, 'already running'
        with self.log_path.open('a') as log:
            self._process = subprocess.Popen(
                self._command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                requests.get(self.url + '/', timeout=2)
                return
            except requests.ConnectionError:
                pass
            if self._process.poll() is not None or (
                time.monotonic() > deadline
            ):
                self.stop()
                pytest.fail(
                    f'reference server on port {self.port} did not '
                    f'start:\n{self.log_path.read_text()}',
                    pytrace=False,
                )
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


@pytest.fixture(scope='session')
def reference_server_factory(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., ReferenceServer]]:
    """Start throwaway servers: ``factory(noauth=True, db_path=None)``.

    Each gets a fresh database unless ``db_path`` is given, and a free
    port unless ``port`` is; ``auth_config`` goes to
    :class:`ReferenceServer`. All are stopped at the end of the session.
    """
    servers: list[ReferenceServer] = []

    def start(
        noauth: bool = True,
        db_path: Path | None = None,
        port: int | None = None,
        auth_config: Path | None = None,
    ) -> ReferenceServer:
        workdir = tmp_path_factory.mktemp('sidecar-ref')
        server = ReferenceServer(
            stack,
            db_path or workdir / 'events.db',
            workdir / 'server.log',
            noauth=noauth,
            port=port,
            auth_config=auth_config,
        )
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def stopped_sidecar(stack: Stack) -> Iterator[str]:
    """Stop the stack's auth server for one test; yield its endpoint.

    The catalog still points at the endpoint, so a client finds it and
    gets no answer. The server is started again afterwards.
    """
    code, output = run_stack('down', 'sidecar')
    assert code == 0, output
    try:
        yield stack.sidecar_endpoint
    finally:
        code, output = run_stack('up')
        assert code == 0, output
