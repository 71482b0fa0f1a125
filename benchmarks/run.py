#!/usr/bin/env python3
"""Benchmarks of python-sidecarclient, each against a baseline of the same run.

    .venv/bin/python benchmarks/run.py              # everything, < 10 min
    .venv/bin/python benchmarks/run.py --quick      # fewer rounds, < 3 min
    .venv/bin/python benchmarks/run.py --only shell-startup paging

Scenarios (``--only`` takes these names):

  osc-startup    ``openstack --version`` and ``openstack complete`` in a
                 venv with the plugin installed, then uninstalled
  osc-imports    modules the plugin and command modules add to a loaded
                 OpenStackClient
  shell-startup  ``sidecar --version`` and ``sidecar help`` against
                 ``python -c pass`` and the keystoneauth import
  e2e            both command lines listing events on the local stack,
                 against a raw-requests script doing the same calls
  throughput     1,000 ``events.detail()`` on one client, against a raw
                 ``requests.Session`` loop with the same token
  paging         10,000 events through ``events.list()`` at page sizes
                 100 and 1,000, against a raw marker loop

Every measurement runs in rounds, the variants of a scenario taking
turns so that a change in the machine's load hits them alike; the table
shows medians and the ratio to the baseline. The wall-clock ratio is
judged against the budget; the CPU ratio (time the measured process
spent on a CPU) is shown beside it because it suffers less when other
work shares the machine, and osc-startup also counts Python function
calls, which no load disturbs. A budget missed is reported, never an
error: the exit status is 0 unless a scenario could not run at all.

The local stack of tools/stack.py is reused when it runs and started
otherwise (``SIDECAR_STACK_DIR`` picks it as for the tests). The
throwaway venv for osc-startup, the paging server's database and logs
live in ``.stack/bench``. All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

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

SCENARIOS = ('osc-startup', 'osc-imports', 'shell-startup', 'e2e',
             'throughput', 'paging')

PAGING_EVENTS = 10_000
DETAIL_CALLS = 1_000
COMMAND_TIMEOUT = 120
SERVER_READY_TIMEOUT = 60


T = TypeVar('T')


class BenchError(Exception):
    """A scenario cannot run; the message says why."""


def say(message: str, *args: Any) -> None:
    print('bench: ' + (message % args if args else message),
          file=sys.stderr, flush=True)


@dataclasses.dataclass(frozen=True)
class Settings:
    """How many rounds each scenario runs."""

    osc_rounds: int
    startup_runs: int
    e2e_runs: int
    throughput_rounds: int
    paging_rounds: int

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if quick:
            return cls(osc_rounds=5, startup_runs=5,
                       e2e_runs=3, throughput_rounds=3, paging_rounds=3)
        return cls(osc_rounds=12, startup_runs=15,
                   e2e_runs=7, throughput_rounds=5, paging_rounds=5)


# -- Measuring ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float


def timed(action: Callable[[], object]) -> Sample:
    """Time an in-process action: wall clock and this process's CPU."""
    cpu = time.process_time()
    start = time.perf_counter()
    action()
    return Sample(time.perf_counter() - start, time.process_time() - cpu)


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
) -> tuple[Sample, str]:
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
    return Sample(wall, cpu), done.stdout or ''


def take_turns(
    variants: dict[Any, Callable[[], Sample]],
    rounds: int,
    warmup: int = 1,
) -> dict[Any, list[Sample]]:
    """Run every variant once per round, starting with a different one."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    samples: dict[Any, list[Sample]] = {name: [] for name in names}
    for turn in range(rounds):
        shift = turn % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(variants[name]())
    return samples


# -- Reporting ---------------------------------------------------------------


@dataclasses.dataclass
class Row:
    scenario: str
    measured: str
    value: str
    baseline: str = ''
    base_value: str = ''
    ratio: str = ''
    cpu_ratio: str = ''
    budget: str = ''
    verdict: str = ''


def seconds(value: float) -> str:
    if value < 1:
        return f'{value * 1000:.1f} ms'
    return f'{value:.3f} s'


def compare(
    scenario: str,
    measured: str,
    samples: list[Sample],
    baseline: str,
    base_samples: list[Sample],
    budget: float | None = None,
) -> Row:
    """A row of medians: the measured variant against its baseline."""
    wall = statistics.median(s.wall for s in samples)
    base_wall = statistics.median(s.wall for s in base_samples)
    cpu = statistics.median(s.cpu for s in samples)
    base_cpu = statistics.median(s.cpu for s in base_samples)
    ratio = wall / base_wall
    verdict = ''
    if budget is not None:
        verdict = 'PASS' if ratio <= budget else 'OVER'
    return Row(
        scenario,
        f'{measured} (n={len(samples)})',
        seconds(wall),
        baseline,
        seconds(base_wall),
        f'{ratio:.3f}',
        f'{cpu / base_cpu:.3f}' if base_cpu > 0 else '',
        '' if budget is None else f'<= {budget:g}',
        verdict,
    )


HEADINGS = Row('Scenario', 'Measured', 'Median', 'Baseline', 'Median',
               'Ratio', 'CPU ratio', 'Budget', 'Verdict')


def table_text(rows: list[Row]) -> str:
    cells = [list(dataclasses.astuple(r)) for r in [HEADINGS, *rows]]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(cells[0]))]
    lines = []
    for index, row in enumerate(cells):
        lines.append('  '.join(
            str(c).ljust(w) for c, w in zip(row, widths, strict=True)
        ).rstrip())
        if index == 0:
            lines.append('  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def table_markdown(rows: list[Row]) -> str:
    cells = [list(dataclasses.astuple(r)) for r in [HEADINGS, *rows]]
    lines = ['| ' + ' | '.join(cells[0]) + ' |',
             '|' + '---|' * len(cells[0])]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |'
              for row in cells[1:]]
    return '\n'.join(lines)


@dataclasses.dataclass
class Report:
    rows: list[Row] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)


# -- The environment ---------------------------------------------------------


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
    report: Report, url: str, action: Callable[[], T]
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


# -- Scenarios ---------------------------------------------------------------


@dataclasses.dataclass
class Context:
    settings: Settings
    stack: Stack
    report: Report
    venv: BenchVenv
    cleanups: list[Callable[[], None]] = dataclasses.field(
        default_factory=list
    )


def osc_startup(ctx: Context) -> None:
    """openstack --version and complete, with the plugin and without."""
    venv = ctx.venv
    venv.ensure()
    venv.wheel()
    commands = {
        'openstack --version': [str(venv.bin / 'openstack'), '--version'],
        'openstack complete': [str(venv.bin / 'openstack'), 'complete'],
    }
    env = venv.env()
    venv.install_plugin()

    def runner(argv: list[str], on: bool) -> Callable[[], Sample]:
        def run() -> Sample:
            venv.plug(on)
            return run_command(argv, env)[0]

        return run

    # The warm-up round builds each state's entry-point cache and bytecode.
    samples = take_turns(
        {(name, on): runner(argv, on)
         for name, argv in commands.items() for on in (True, False)},
        ctx.settings.osc_rounds,
    )
    for name in commands:
        ctx.report.rows.append(compare(
            'osc-startup', f'{name}, plugin installed',
            samples[(name, True)],
            'same venv, plugin uninstalled', samples[(name, False)],
            budget=1.02,
        ))
    # Timing 2 % differences on a shared machine is a matter of luck;
    # the number of Python function calls is not: it counts the work.
    for name, argv in commands.items():
        calls = {on: function_calls(venv, argv, on) for on in (True, False)}
        ratio = calls[True] / calls[False]
        ctx.report.rows.append(Row(
            'osc-startup', f'{name}: Python function calls (cProfile)',
            f'{calls[True]:,}', 'same, plugin uninstalled',
            f'{calls[False]:,}', f'{ratio:.4f}', budget='<= 1.02',
            verdict='PASS' if ratio <= 1.02 else 'OVER',
        ))


def function_calls(venv: BenchVenv, argv: list[str], plugged: bool) -> int:
    """How many Python function calls one run of ``argv`` makes."""
    import pstats

    venv.plug(plugged)
    with tempfile.TemporaryDirectory(dir=WORK_DIR) as tmp:
        out = Path(tmp) / 'profile'
        # The working directory, on sys.path under "python -m", is the
        # empty one of spawn(), never written to: stevedore's cache key
        # is sys.path with its directories' time stamps. The first run
        # fills that cache, the second is counted.
        for _ in range(2):
            run_command(
                [str(venv.python), '-m', 'cProfile', '-o', str(out), *argv],
                venv.env(),
            )
        return int(pstats.Stats(str(out)).total_calls)


def osc_imports(ctx: Context) -> None:
    """What the plugin module imports that OpenStackClient had not."""
    venv = ctx.venv
    venv.ensure()
    venv.install_plugin()
    venv.plug(False)
    modules = ['sidecarclient.osc.plugin', 'sidecarclient.osc.v2.event',
               'sidecarclient.osc.v2.version']
    # The plugin is not installed, so OpenStackClient does not import it;
    # the probe imports it from the working tree after OSC's modules. The
    # path holds the package alone: the egg-info of the dev venv's
    # editable install, beside it in the repo, would register the plugin.
    path = WORK_DIR / 'package-only'
    path.mkdir(exist_ok=True)
    link = path / 'sidecarclient'
    if not link.is_symlink():
        link.symlink_to(REPO / 'sidecarclient')
    env = venv.env(PYTHONPATH=str(path))
    argv = [str(venv.python), '-X', 'importtime',
            str(HERE / 'import_probe.py'), *modules]
    # The first run compiles what changed; the second is measured.
    for _ in range(2):
        done = spawn(argv, env)
        if done.returncode != 0:
            raise BenchError('import probe failed: ' + done.stderr[-600:])
    added = json.loads(done.stdout)
    cumulative = _import_times(done.stderr)
    for module in modules:
        foreign = [m for m in added[module]
                   if m != 'sidecarclient'
                   and not m.startswith('sidecarclient.')]
        is_plugin = module.endswith('.plugin')
        took = cumulative.get(module)
        ctx.report.rows.append(Row(
            'osc-imports',
            f'import {module} after openstackclient.shell (importtime)',
            '?' if took is None else seconds(took / 1e6),
            'modules it adds beyond sidecarclient',
            str(len(foreign)),
            budget='0 modules' if is_plugin else '',
            verdict=('PASS' if not foreign else 'OVER') if is_plugin else '',
        ))
        if foreign:
            ctx.report.notes.append(
                f'{module} imports modules OpenStackClient had not: '
                + ', '.join(foreign)
            )
    ctx.report.notes.append(
        'Loaded when a sidecar command or help/complete runs: '
        + ', '.join(m for m in added['sidecarclient.osc.v2.event']
                    if m.startswith('sidecarclient'))
    )


def _import_times(stderr: str) -> dict[str, int]:
    """Cumulative microseconds of each module in -X importtime output."""
    found = {}
    for line in stderr.splitlines():
        if not line.startswith('import time:'):
            continue
        parts = line.split('|')
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        found[parts[2].strip()] = int(parts[1])
    return found


def shell_startup(ctx: Context) -> None:
    """sidecar --version and help against Python's own start-up."""
    python = sys.executable
    sidecar = str(Path(python).parent / 'sidecar')
    env = clean_env()
    commands = {
        'python -c pass': [python, '-c', 'pass'],
        'import keystoneauth1.session': [
            python, '-c', 'import keystoneauth1.session'],
        'sidecar --version': [sidecar, '--version'],
        'sidecar help': [sidecar, 'help'],
    }
    samples = take_turns(
        {name: (lambda argv=argv: run_command(argv, env)[0])
         for name, argv in commands.items()},
        ctx.settings.startup_runs,
    )
    rows = ctx.report.rows
    for name, budget in (('sidecar --version', 1.2), ('sidecar help', None)):
        rows.append(compare(
            'shell-startup', name, samples[name],
            'python -c "import keystoneauth1.session"',
            samples['import keystoneauth1.session'], budget=budget,
        ))
    rows.append(compare(
        'shell-startup', 'sidecar --version', samples['sidecar --version'],
        'python -c pass', samples['python -c pass'],
    ))


def e2e(ctx: Context) -> None:
    """Both command lines listing events, against the raw floor."""
    bin_dir = Path(sys.executable).parent
    env = clean_env(**ctx.stack.openrc())
    commands = {
        'raw requests': [sys.executable, str(HERE / 'raw_list.py')],
        'sidecar evacuates-events-list': [
            str(bin_dir / 'sidecar'), 'evacuates-events-list'],
        'openstack sidecar event list': [
            str(bin_dir / 'openstack'), 'sidecar', 'event', 'list'],
    }
    server_root = ctx.stack.info['sidecar']['url'] + '/'

    def runner(argv: list[str]) -> Callable[[], Sample]:
        return lambda: again_after_outage(
            ctx.report, server_root, lambda: run_command(argv, env)[0]
        )

    _, listed = again_after_outage(
        ctx.report, server_root,
        lambda: run_command(commands['raw requests'], env, capture=True),
    )
    samples = take_turns(
        {name: runner(argv) for name, argv in commands.items()},
        ctx.settings.e2e_runs,
    )
    for name in ('sidecar evacuates-events-list',
                 'openstack sidecar event list'):
        ctx.report.rows.append(compare(
            'e2e', name, samples[name],
            'raw requests: token + GETs', samples['raw requests'],
        ))
    ctx.report.notes.append(
        f'e2e lists the {len(listed.split())} events on the stack\'s '
        'Keystone-protected server, endpoint from the catalog.'
    )


class RequestLog:
    """Count the HTTP requests a requests.Session sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def hook(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self.sent.append((response.request.method, response.url))

    def count(self, method: str, path_part: str) -> int:
        return sum(
            1 for m, url in self.sent if m == method and path_part in url
        )


def throughput(ctx: Context) -> None:
    """1,000 detail() calls on one client against a raw Session loop."""
    import requests

    from sidecarclient import client as sidecar_client

    sent = RequestLog()
    # No retries: a round in which the server went away is run again
    # rather than timed with the client's back-off in it.
    sidecar = sidecar_client.Client(retries=0, **ctx.stack.client_kwargs())
    sidecar.session.session.hooks['response'].append(sent.hook)
    server_root = ctx.stack.info['sidecar']['url'] + '/'

    def again_after_restart(action: Callable[[], T]) -> T:
        return again_after_outage(ctx.report, server_root, action)

    event = again_after_restart(lambda: sidecar.events.create(
        name=f'bench-{uuid.uuid4().hex[:12]}', node_uuid='bench-node',
        vm_uuid_list=[str(uuid.uuid4()) for _ in range(3)],
    ))

    def remove() -> None:
        again_after_restart(lambda: sidecar.events.edit(
            event.id, event_status='completed'))
        again_after_restart(lambda: sidecar.events.delete(event.id))
        sidecar.close()

    ctx.cleanups.append(remove)

    # A plain Session, as anyone would write it (NO_PROXY keeps it local).
    raw = requests.Session()
    raw.headers.update({
        'X-Auth-Token': sidecar.session.get_token(),
        'Accept': 'application/json',
    })
    url = sidecar.http.endpoint().rstrip('/') + '/evacuates/events/' + (
        event.id
    )

    def with_client() -> None:
        for _ in range(DETAIL_CALLS):
            sidecar.events.detail(event.id)

    def with_raw() -> None:
        for _ in range(DETAIL_CALLS):
            resp = raw.get(url, timeout=30)
            resp.raise_for_status()
            resp.json()['event']

    samples = take_turns(
        {'client': lambda: again_after_restart(lambda: timed(with_client)),
         'raw': lambda: again_after_restart(lambda: timed(with_raw))},
        ctx.settings.throughput_rounds,
    )
    ctx.report.rows.append(compare(
        'throughput', f'{DETAIL_CALLS} events.detail()', samples['client'],
        f'{DETAIL_CALLS} raw Session GETs', samples['raw'], budget=1.25,
    ))
    tokens = sent.count('POST', '/auth/tokens')
    ctx.report.rows.append(Row(
        'throughput', 'token requests by the client, whole scenario',
        str(tokens), budget='= 1', verdict='PASS' if tokens == 1 else 'OVER',
    ))
    ctx.report.rows.append(Row(
        'throughput', 'TCP connections opened (client: Keystone + Sidecar)',
        str(connections_opened(sidecar.session.session)),
        'raw Session', str(connections_opened(raw)),
    ))
    keystone = ctx.stack.info['keystone']['url']
    other = [f'{m} {u}' for m, u in sent.sent
             if u.startswith(keystone) and '/auth/tokens' not in u]
    if other:
        ctx.report.notes.append(
            'throughput: other requests to Keystone: ' + ', '.join(other)
        )


def connections_opened(session: Any) -> int:
    """How many connections a requests.Session's pools have opened."""
    total = 0
    # keystoneauth mounts one adapter for both schemes: count it once.
    adapters = {id(a): a for a in session.adapters.values()}
    for adapter in adapters.values():
        pools = adapter.poolmanager.pools
        for key in pools.keys():
            total += pools[key].num_connections
    return total


def paging(ctx: Context) -> None:
    """10,000 events listed lazily, against a raw marker loop."""
    import requests

    from sidecarclient import client as sidecar_client

    server = ReferenceServer(ctx.stack, 'paging')
    server.seed(PAGING_EVENTS)
    server.start()
    ctx.cleanups.append(server.stop)
    endpoint = server.url + '/v2'

    sent = RequestLog()
    # The no-auth server takes any token; Keystone is not involved.
    sidecar = sidecar_client.Client(
        auth_token='bench', endpoint=endpoint  # noqa: S106
    )
    sidecar.session.session.hooks['response'].append(sent.hook)
    ctx.cleanups.append(sidecar.close)
    raw = requests.Session()
    raw.headers.update({'X-Auth-Token': 'bench',
                        'Accept': 'application/json'})
    raw_sent = RequestLog()
    raw.hooks['response'].append(raw_sent.hook)
    url = endpoint + '/evacuates/events'

    def raw_list(size: int) -> int:
        count = 0
        params = {'limit': str(size)}
        for _page in range(PAGING_EVENTS // size + 2):
            resp = raw.get(url, params=params, timeout=60)
            resp.raise_for_status()
            events = resp.json()['events']
            if not events:
                return count
            count += len(events)
            params['marker'] = events[-1]['id']
        raise BenchError('the raw loop did not reach an empty page')

    def client_list(size: int) -> int:
        return sum(1 for _ in sidecar.events.list(page_size=size))

    def client_len(size: int) -> int:
        return len(sidecar.events.list(page_size=size))

    def measure(size: int) -> None:
        counts: dict[str, int] = {}

        def run(name: str, action: Callable[[int], int]) -> Sample:
            def call() -> None:
                counts[name] = action(size)

            return timed(call)

        sent.sent.clear()
        raw_sent.sent.clear()
        samples = take_turns(
            {'client': lambda: run('client', client_list),
             'raw': lambda: run('raw', raw_list)},
            ctx.settings.paging_rounds,
        )
        # Every round lists once with each, and so does the warm-up.
        listings = ctx.settings.paging_rounds + 1
        per_list = len(sent.sent) // listings
        rows = ctx.report.rows
        rows.append(compare(
            'paging', f'list {PAGING_EVENTS} events, page {size}',
            samples['client'], 'raw marker loop', samples['raw'],
            budget=1.25,
        ))
        rows.append(Row(
            'paging', f'HTTP requests per list, page {size}',
            str(per_list), 'raw loop (1 + pages)',
            str(len(raw_sent.sent) // listings),
        ))
        limits = [
            urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
            .get('limit', ['-'])[0]
            for _method, url in sent.sent[:per_list]
        ]
        ctx.report.notes.append(
            f'paging {size}: the limits the client sent, in order: '
            + ', '.join(limits[:4]) + (', ...' if len(limits) > 4 else '')
        )
        if set(counts.values()) != {PAGING_EVENTS}:
            ctx.report.notes.append(
                f'paging {size}: the client listed {counts["client"]} '
                f'events and the raw loop {counts["raw"]}, not '
                f'{PAGING_EVENTS}'
            )

        peaks = {
            'lazy': peak_memory(lambda: client_list(size)),
            'len': peak_memory(lambda: client_len(size)),
            'raw': peak_memory(lambda: raw_list(size)),
        }
        for name, how in (('lazy', 'iterating lazily'), ('len', 'len()')):
            rows.append(Row(
                'paging', f'peak memory, {how}, page {size}',
                megabytes(peaks[name]), 'raw loop',
                megabytes(peaks['raw']),
                f'{peaks[name] / peaks["raw"]:.2f}',
            ))

    measure(100)
    measure(1000)


def peak_memory(action: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``action`` ran (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def megabytes(count: int) -> str:
    return f'{count / 1e6:.1f} MB'


RUNNERS: dict[str, Callable[[Context], None]] = {
    'osc-startup': osc_startup,
    'osc-imports': osc_imports,
    'shell-startup': shell_startup,
    'e2e': e2e,
    'throughput': throughput,
    'paging': paging,
}


# -- Main --------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    load = ', '.join(f'{x:.2f}' for x in os.getloadavg())
    return (
        f'{platform.system()} {platform.release()}, {os.cpu_count()} CPUs '
        f'({cpu}), Python {platform.python_version()}, load {load}'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n', 1)[0],
        epilog='scenarios: ' + ', '.join(SCENARIOS),
    )
    parser.add_argument('--quick', action='store_true',
                        help='fewer rounds: under 3 minutes')
    parser.add_argument('--only', nargs='+', choices=SCENARIOS,
                        metavar='SCENARIO', help='run only these')
    parser.add_argument('--markdown', action='store_true',
                        help='print the table as Markdown')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the rows and notes to FILE')
    args = parser.parse_args(argv)

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    # Every request of this process goes to 127.0.0.1, never a proxy.
    os.environ.update({k: v for k, v in clean_env().items()
                       if k.lower() == 'no_proxy'})
    ctx = Context(
        Settings.for_mode(args.quick), Stack(), Report(),
        BenchVenv(WORK_DIR),
    )
    started = time.monotonic()
    cpus = os.cpu_count() or 1
    loads: dict[str, float] = {}
    for name in args.only or SCENARIOS:
        say('%s ...', name)
        scenario_started = time.monotonic()
        load_before = os.getloadavg()[0]
        try:
            RUNNERS[name](ctx)
        except Exception as exc:  # noqa: BLE001
            # One scenario failing leaves the others their chance.
            text = str(exc).splitlines()[0] if str(exc) else repr(exc)
            ctx.report.failed.append(f'{name}: {type(exc).__name__}: {text}')
            say('%s could not run: %s', name, text)
        finally:
            while ctx.cleanups:
                cleanup = ctx.cleanups.pop()
                try:
                    cleanup()
                except Exception as exc:  # noqa: BLE001
                    say('cleanup after %s failed: %s', name, exc)
        say('%s done in %.0f s', name, time.monotonic() - scenario_started)
        loads[name] = max(load_before, os.getloadavg()[0])

    report = ctx.report
    busy = {name: load for name, load in loads.items() if load > cpus * 0.75}
    if busy:
        report.notes.append(
            'Other work shared the machine (1-minute load average on '
            f'{cpus} CPUs: '
            + ', '.join(f'{name} {load:.1f}' for name, load in busy.items())
            + '): wall-clock ratios are noisy there; the CPU ratio '
            'suffers less.'
        )
    print(f'python-sidecarclient benchmarks, {time.strftime("%Y-%m-%d")}, '
          f'{"quick" if args.quick else "full"} mode, '
          f'{time.monotonic() - started:.0f} s')
    print(machine())
    print()
    print(table_markdown(report.rows) if args.markdown
          else table_text(report.rows))
    for note in report.notes:
        print(f'- {note}')
    for failure in report.failed:
        print(f'! not run: {failure}')
    if args.json:
        Path(args.json).write_text(json.dumps(
            {'rows': [dataclasses.asdict(r) for r in report.rows],
             'notes': report.notes, 'failed': report.failed,
             'machine': machine()},
            indent=2,
        ) + '\n')
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
