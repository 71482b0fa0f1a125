"""What the benchmarks run against: the stack, servers, a throwaway venv.

Commands run with :func:`spawn`, servers are stopped by the process
group this module started, and every request goes to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import measure

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / 'benchmarks'
STACK_SCRIPT = REPO / 'tools' / 'stack.py'
WORK_DIR = REPO / '.stack' / 'bench'
LOCAL = '127.0.0.1'

# What the throwaway venv gets: the dev venv's versions of these.
OSC_DISTRIBUTIONS = (
    'python-openstackclient',
    'openstacksdk',
    'osc-lib',
    'cliff',
    'keystoneauth1',
    'stevedore',
    'requests',
    'prettytable',
    'pbr',
)
# The source of the wheel installed into it.
PACKAGE_SOURCES = ('sidecarclient', 'setup.cfg', 'setup.py', 'pyproject.toml',
                   'README.md', 'requirements.txt')

COMMAND_TIMEOUT = 120
SERVER_READY_TIMEOUT = 60

T = TypeVar('T')


class BenchError(Exception):
    """A scenario cannot run; the message says why."""


def say(message: str, *args: Any) -> None:
    print('bench: ' + (message % args if args else message),
          file=sys.stderr, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for what the benchmarks run.

    No ``OS_*`` variable, no proxy for 127.0.0.1, and bytecode cached
    (under the work directory, not beside the sources): an installed
    package has its .pyc files, so compiling on every run would measure
    something no user sees.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    env['PYTHONPYCACHEPREFIX'] = str(WORK_DIR / 'pycache')
    no_proxy = ','.join(
        part for part in (env.get('NO_PROXY', ''), LOCAL, 'localhost')
        if part
    )
    env['NO_PROXY'] = env['no_proxy'] = no_proxy
    env.update(extra)
    return env


def spawn(
    argv: list[str],
    env: dict[str, str] | None = None,
    capture: bool = True,
    timeout: float = COMMAND_TIMEOUT,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to its end, its standard error captured.

    It runs in an empty directory: ``python -c`` and ``-m`` put the
    working directory on sys.path, and the repo's would add a directory
    to every import's search (and the dev venv's egg-info).
    """
    if cwd is None:
        cwd = WORK_DIR / 'empty'
        cwd.mkdir(parents=True, exist_ok=True)
    try:
        # Every command line is made here, of this script's own paths.
        return subprocess.run(  # noqa: S603
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            text=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(
            f'{shlex.join(argv)} did not finish in {timeout:.0f} s'
        ) from None


def run_command(
    argv: list[str],
    env: dict[str, str],
    capture: bool = False,
    cwd: Path | None = None,
) -> tuple[measure.Sample, str]:
    """Run a command that must succeed; its wall time and CPU time."""
    before = os.times()
    start = time.perf_counter()
    done = spawn(argv, env, capture=capture, cwd=cwd)
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise BenchError(
            f'{shlex.join(argv)} failed (exit {done.returncode}): '
            + done.stderr.strip()[-600:]
        )
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return measure.Sample(wall, cpu), done.stdout or ''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL, 0))
        return sock.getsockname()[1]


def wait_for_http(
    url: str,
    process: subprocess.Popen[bytes] | None = None,
    timeout: float = SERVER_READY_TIMEOUT,
) -> None:
    """Wait until ``url`` answers 200 (and ``process``, if given, lives)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f'the server for {url} exited at start')
        with contextlib.suppress(requests.RequestException):
            if session.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise BenchError(f'{url} did not answer in {timeout:.0f} s')


def again_after_outage(
    report: measure.Report, url: str, action: Callable[[], T]
) -> T:
    """Run ``action``; if the server at ``url`` went away, wait and rerun.

    The stack is shared: functional tests stop its Sidecar server for a
    while, and tools/stack.py restarts it when its code changes. A round
    cut short by that is run again, never timed as it was.
    """
    import requests
    from keystoneauth1 import exceptions as ksa_exc

    for _attempt in range(3):
        try:
            return action()
        except (BenchError, requests.ConnectionError,
                ksa_exc.ConnectionError) as exc:
            if isinstance(exc, BenchError) and (
                'connect' not in str(exc).lower()
            ):
                raise
            say('%s went away (%s); waiting for it', url,
                str(exc).splitlines()[0][:200])
            note = f'{url} went away during a round, which was run again.'
            if note not in report.notes:
                report.notes.append(note)
            wait_for_http(url)
    raise BenchError(f'{url} keeps going away')


class Stack:
    """The local stack of tools/stack.py: reused, or started."""

    def __init__(self) -> None:
        self._info: dict[str, Any] | None = None

    @property
    def info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = self._bring_up()
        return self._info

    @staticmethod
    def _bring_up() -> dict[str, Any]:
        root = Path(
            os.environ.get('SIDECAR_STACK_DIR') or REPO / '.stack'
        ).resolve()
        status = spawn([sys.executable, str(STACK_SCRIPT), 'status'])
        if status.returncode != 0 or not (root / 'stack.json').exists():
            say('starting the local stack (tools/stack.py up); the first '
                'run installs Keystone, a few minutes')
            up = spawn([sys.executable, str(STACK_SCRIPT), 'up'],
                       timeout=1800)
            if up.returncode != 0:
                raise BenchError(
                    'tools/stack.py up failed:\n'
                    + (up.stdout + up.stderr)[-2000:]
                )
        return json.loads((root / 'stack.json').read_text())

    def openrc(self) -> dict[str, str]:
        """The admin user's variables, as after sourcing its openrc."""
        found = {}
        for line in Path(self.info['openrc']).read_text().splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ['export']:
                name, _, value = words[1].partition('=')
                found[name] = value
        return found

    def client_kwargs(self) -> dict[str, Any]:
        admin = self.info['users']['admin']
        return dict(
            auth_url=self.info['keystone']['auth_url'],
            region_name=self.info['region_name'],
            **admin,
        )


class ReferenceServer:
    """A throwaway reference server on a free port, with its own DB."""

    def __init__(self, stack: Stack, name: str) -> None:
        self.stack = stack
        self.db = WORK_DIR / f'{name}.db'
        self.log = WORK_DIR / f'{name}.log'
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f'http://{LOCAL}:{self.port}'

    def _env(self) -> dict[str, str]:
        return clean_env(PYTHONPATH=self.stack.info['server_pythonpath'])

    def seed(self, count: int) -> None:
        self.db.unlink(missing_ok=True)
        say('writing %d events into %s', count, self.db)
        run_command(
            [self.stack.info['server_python'],
             str(HERE / 'seed_events.py'),
             '--db', str(self.db), '--count', str(count)],
            self._env(),
        )

    def start(self) -> None:
        self.port = free_port()
        self.log.unlink(missing_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 (as in spawn)
            [self.stack.info['server_python'], '-m', 'sidecar_ref',
             '--host', LOCAL, '--port', str(self.port),
             '--db', str(self.db), '--noauth', '--threads', '4',
             '--log-file', str(self.log)],
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_http(self.url + '/', self.process)
        except BenchError:
            self.stop()
            raise

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class BenchVenv:
    """A venv with OpenStackClient, to install and remove the plugin in."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.venv = root / 'venv'
        self.bin = self.venv / 'bin'
        self.python = self.bin / 'python'
        self.marker = self.venv / 'bench-requirements.txt'
        self._wheel: Path | None = None
        self._installed: list[Path] = []
        self._mtimes: dict[Path, float] = {}
        self._plugged = False

    def env(self, **extra: str) -> dict[str, str]:
        # stevedore caches entry points under XDG_CACHE_HOME: keep the
        # benchmark's caches out of the user's.
        return clean_env(XDG_CACHE_HOME=str(self.root / 'cache'), **extra)

    def pip(self, *args: str) -> None:
        run_command(
            [str(self.python), '-m', 'pip', '--disable-pip-version-check',
             '--quiet', *args],
            self.env(),
        )

    def ensure(self) -> None:
        pins = []
        for name in OSC_DISTRIBUTIONS:
            try:
                pins.append(f'{name}=={metadata.version(name)}')
            except metadata.PackageNotFoundError:
                pins.append(name)
        # The wheel is built without build isolation, so these too.
        wanted = '\n'.join(pins + ['setuptools', 'wheel']) + '\n'
        if self.python.exists() and self.marker.exists() and (
            self.marker.read_text() == wanted
        ):
            return
        say('creating %s with OpenStackClient (about a minute)', self.venv)
        shutil.rmtree(self.venv, ignore_errors=True)
        run_command([sys.executable, '-m', 'venv', str(self.venv)],
                    clean_env())
        self.pip('install', *wanted.split())
        self.marker.write_text(wanted)

    def wheel(self) -> Path:
        """A wheel of the working tree, built once per change of it."""
        if self._wheel is not None:
            return self._wheel
        digest = hashlib.sha256()
        for name in PACKAGE_SOURCES:
            top = REPO / name
            files = sorted(top.rglob('*.py')) if top.is_dir() else [top]
            for path in files:
                if path.exists():
                    digest.update(str(path.relative_to(REPO)).encode())
                    digest.update(path.read_bytes())
        out = self.root / 'wheels' / digest.hexdigest()[:16]
        built = sorted(out.glob('*.whl'))
        if not built:
            say('building a wheel of the working tree')
            with tempfile.TemporaryDirectory(dir=self.root) as tmp:
                # A copy, so that the build writes nothing into the repo;
                # without git there, pbr takes the version from here.
                source = Path(tmp) / 'src'
                for name in PACKAGE_SOURCES:
                    top = REPO / name
                    if top.is_dir():
                        shutil.copytree(top, source / name, ignore=(
                            shutil.ignore_patterns('__pycache__')))
                    elif top.exists():
                        source.mkdir(exist_ok=True)
                        shutil.copy2(top, source / name)
                run_command(
                    [str(self.python), '-m', 'pip', 'wheel', '--quiet',
                     '--disable-pip-version-check', '--no-deps',
                     '--no-build-isolation', '-w', str(out), str(source)],
                    self.env(PBR_VERSION=_dev_version()),
                )
            built = sorted(out.glob('*.whl'))
        if not built:
            raise BenchError(f'no wheel was built in {out}')
        self._wheel = built[-1]
        return self._wheel

    def install_plugin(self) -> None:
        """Install the wheel (once per run) and note the files it put."""
        if self._installed:
            return
        parked = self.root / 'parked'
        shutil.rmtree(parked, ignore_errors=True)
        parked.mkdir()
        self.pip('install', '--no-deps', '--force-reinstall',
                 str(self.wheel()))
        _, out = run_command(
            [str(self.python), '-c',
             'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
            self.env(), capture=True,
        )
        site = Path(out.strip())
        self._installed = [
            site / 'sidecarclient',
            *site.glob('python_sidecarclient-*.dist-info'),
            self.bin / 'sidecar',
        ]
        self._mtimes = {
            path.parent: path.parent.stat().st_mtime
            for path in self._installed
        }
        self._plugged = True

    def plug(self, on: bool) -> None:
        """Put the installed plugin's files in place, or set them aside.

        Moving the files is what pip's uninstall and install do, without
        pip's second or two, so the two states can alternate run by run.
        The directories keep their time stamps: stevedore keys its
        entry-point cache on those of sys.path, so each state keeps a
        warm cache, as on an operator's machine.
        """
        if on == self._plugged:
            return
        for path in self._installed:
            aside = self.root / 'parked' / path.name
            source, target = (aside, path) if on else (path, aside)
            source.rename(target)
        for directory, mtime in self._mtimes.items():
            os.utime(directory, (mtime, mtime))
        self._plugged = on


def _dev_version() -> str:
    try:
        return metadata.version('python-sidecarclient')
    except metadata.PackageNotFoundError:
        return '0.0.0'
