#!/usr/bin/env python3
"""A local Keystone and the reference Sidecar server, for the tests.

    python tools/stack.py up      install (first run), start, register
    python tools/stack.py status  show what runs; exit 0 if all of it
    python tools/stack.py env     shell exports: eval "$(... env)"
    python tools/stack.py down    stop the servers, keep the data

``up`` installs Keystone from PyPI into ``.stack/keystone-venv``, sets it
up on SQLite with fernet tokens, serves it on 127.0.0.1, registers the
``sidecar`` service and the users ``sidecar`` (service) and ``demo``
(non-admin) with the ``openstack`` CLI, and starts the reference Sidecar
server twice: behind keystonemiddleware and without auth. A second ``up``
reuses whatever exists and whatever runs.

Everything lives under ``<repo>/.stack`` (``SIDECAR_STACK_DIR`` moves
it); ``stack.json`` there tells the tests every URL, port, password and
pid. Ports come from ``SIDECAR_STACK_KEYSTONE_PORT``,
``SIDECAR_STACK_SIDECAR_PORT`` and ``SIDECAR_STACK_NOAUTH_PORT``.

This file uses only the standard library and runs with any Python 3.10+;
Keystone and the servers run from the venv (Python 3.11+, Keystone's
floor: ``SIDECAR_STACK_PYTHON`` picks the interpreter).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import fcntl
import grp
import hashlib
import http.client as http_client
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HOST = '127.0.0.1'
REGION = 'RegionOne'
KEYSTONE_FLOOR = (3, 11)

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / 'tools' / 'keystone-requirements.txt'
REFERENCE_SERVER = REPO / 'tools' / 'reference_server'

DEFAULT_PORTS = {
    'keystone': ('SIDECAR_STACK_KEYSTONE_PORT', 15000),
    'sidecar': ('SIDECAR_STACK_SIDECAR_PORT', 19090),
    'sidecar-noauth': ('SIDECAR_STACK_NOAUTH_PORT', 19091),
}
SERVER_NAMES = tuple(DEFAULT_PORTS)
READY_TIMEOUT = float(os.environ.get('SIDECAR_STACK_TIMEOUT', '90'))

# Users other than Keystone's bootstrap admin: (user, project, role).
SERVICE_USER = ('sidecar', 'service', 'service')
DEMO_USER = ('demo', 'demo', 'member')

# Never send requests to 127.0.0.1 through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class StackError(Exception):
    """Something went wrong; the message tells the user what."""


def say(message: str, *args: Any) -> None:
    print('stack: ' + (message % args if args else message), flush=True)


# -- Where things are -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def venv(self) -> Path:
        return self.root / 'keystone-venv'

    @property
    def venv_python(self) -> Path:
        return self.venv / 'bin' / 'python'

    @property
    def venv_marker(self) -> Path:
        return self.venv / 'sidecar-stack-install.json'

    @property
    def keystone(self) -> Path:
        return self.root / 'keystone'

    @property
    def keystone_conf(self) -> Path:
        return self.keystone / 'keystone.conf'

    @property
    def keystone_marker(self) -> Path:
        return self.keystone / 'setup-done.json'

    @property
    def sidecar(self) -> Path:
        return self.root / 'sidecar'

    @property
    def authtoken_conf(self) -> Path:
        return self.sidecar / 'authtoken.conf'

    @property
    def secrets(self) -> Path:
        return self.root / 'secrets.json'

    @property
    def stack_json(self) -> Path:
        return self.root / 'stack.json'

    @property
    def openrc(self) -> Path:
        return self.root / 'openrc'

    @property
    def openrc_demo(self) -> Path:
        return self.root / 'openrc-demo'

    @property
    def clouds_yaml(self) -> Path:
        return self.root / 'clouds.yaml'

    def log(self, name: str) -> Path:
        return self.root / 'logs' / (f'{name}.log')

    def pid_record(self, name: str) -> Path:
        return self.root / 'run' / (f'{name}.json')

    def db(self, server: str) -> Path:
        return self.sidecar / (f'{server}.db')


def stack_paths() -> Paths:
    root = os.environ.get('SIDECAR_STACK_DIR') or REPO / '.stack'
    return Paths(Path(root).resolve())


def stack_ports() -> dict[str, int]:
    ports = {}
    for name, (variable, default) in DEFAULT_PORTS.items():
        value = os.environ.get(variable, str(default))
        if not value.isdigit() or not 0 < int(value) < 65536:
            raise StackError(f'{variable}={value!r} is not a port number')
        ports[name] = int(value)
    if len(set(ports.values())) != len(ports):
        raise StackError(f'the three ports must differ: {ports}')
    return ports


# -- Small helpers -----------------------------------------------------------


def http(
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5,
) -> tuple[int, dict[str, str], Any]:
    """Send one request; return status, headers and the decoded JSON."""
    if not url.startswith('http://'):
        raise ValueError(f'not a URL of this stack: {url}')
    data = None if body is None else json.dumps(body).encode()
    # The scheme is checked above: never file:// or another one.
    request = urllib.request.Request(  # noqa: S310
        url, data=data, method=method
    )
    request.add_header('Accept', 'application/json')
    if data is not None:
        request.add_header('Content-Type', 'application/json')
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
            response_headers = dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
        response_headers = dict(exc.headers)
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw.decode(errors='replace')
    return status, response_headers, decoded


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors='replace').splitlines()
    except OSError:
        return f'(no log at {path})'
    tail = '\n'.join('    ' + line for line in text[-lines:])
    return f'last lines of {path}:\n{tail}'


def write_private(path: Path, text: str) -> bool:
    """Write a file only its owner may read; return whether it changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return False
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as stream:
        stream.write(text)
    return True


def digest(*parts: str) -> str:
    return hashlib.sha256('\0'.join(parts).encode()).hexdigest()


def run_logged(
    command: list[str],
    log: Path,
    what: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> str:
    """Run a command, its output appended to ``log``; fail with its tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open('a') as stream:
        stream.write(f'\n$ {shlex.join(command)}\n')
        stream.flush()
        result = subprocess.run(
            command,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stream,
            env=env,
            text=True,
            check=False,
        )
        stream.write(result.stdout)
    if check and result.returncode != 0:
        raise StackError(
            f'{what} failed (exit {result.returncode})\n{log_tail(log)}'
        )
    return result.stdout


@contextlib.contextmanager
def stack_lock(paths: Paths) -> Iterator[None]:
    """Keep two ``up``/``down`` runs on one stack from interleaving."""
    # Passwords and tokens live here: keep it to its owner.
    paths.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (paths.root / 'lock').open('w') as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)
        yield


# -- Processes ---------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie takes signals too: it has exited, only not been reaped.
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return True
    # The state follows the command name, which is in parentheses.
    return stat.rsplit(')', 1)[-1].split()[:1] != ['Z']


def read_record(paths: Paths, name: str) -> dict[str, Any] | None:
    """The pid record of a server this stack started, if it still runs."""
    try:
        record = json.loads(paths.pid_record(name).read_text())
    except (OSError, ValueError):
        return None
    pid = record.get('pid')
    if not isinstance(pid, int) or not pid_alive(pid):
        return None
    # A recycled pid belongs to some other program: check the command.
    try:
        cmdline = Path(f'/proc/{pid}/cmdline').read_bytes()
    except OSError:
        return record
    if cmdline.split(b'\0')[: len(record['command'])] != [
        part.encode() for part in record['command']
    ]:
        return None
    return record


def stop_pid(pid: int, name: str) -> None:
    # Each server leads its own session: signal that process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while pid_alive(pid):
        if time.monotonic() > deadline:
            say('%s (pid %d) ignored SIGTERM; killing it', name, pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            break
        time.sleep(0.1)


# -- Servers -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Server:
    name: str
    port: int
    command: list[str]
    health_path: str
    is_healthy: Callable[[Any], bool]
    # Files whose change calls for a restart: code and configuration.
    inputs: list[Path]
    env: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def url(self) -> str:
        return f'http://{HOST}:{self.port}'

    def fingerprint(self) -> str:
        parts = list(self.command)
        for path in self.inputs:
            parts += [str(path), path.read_text() if path.exists() else '']
        return digest(*parts)

    def probe(self) -> str:
        """'down', 'ok', or 'other' when something else answers."""
        try:
            status, _headers, body = http(
                'GET', self.url + self.health_path, timeout=3
            )
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):
                return 'down'
            return 'other'
        except ConnectionRefusedError:
            return 'down'
        except (OSError, http_client.HTTPException):
            return 'other'
        return 'ok' if status == 200 and self.is_healthy(body) else 'other'


def _keystone_healthy(body: Any) -> bool:
    return isinstance(body, dict) and str(
        body.get('version', {}).get('id', '')
    ).startswith('v3')


def _sidecar_healthy(body: Any) -> bool:
    return isinstance(body, dict) and any(
        isinstance(version, dict) and 'v2' in version
        for version in body.get('versions', [])
    )


def stack_servers(paths: Paths, ports: dict[str, int]) -> list[Server]:
    python = str(paths.venv_python)
    sidecar_env = {'PYTHONPATH': str(REFERENCE_SERVER)}
    sidecar = [python, '-m', 'sidecar_ref', '--host', HOST, '--port']
    sidecar_code = sorted((REFERENCE_SERVER / 'sidecar_ref').glob('*.py'))
    return [
        Server(
            'keystone',
            ports['keystone'],
            [
                python,
                str(Path(__file__).resolve()),
                'serve-keystone',
                '--port',
                str(ports['keystone']),
                '--config',
                str(paths.keystone_conf),
            ],
            '/v3',
            _keystone_healthy,
            [paths.keystone_conf, REQUIREMENTS],
        ),
        Server(
            'sidecar',
            ports['sidecar'],
            sidecar
            + [
                str(ports['sidecar']),
                '--db',
                str(paths.db('sidecar')),
                '--auth-config',
                str(paths.authtoken_conf),
            ],
            '/',
            _sidecar_healthy,
            sidecar_code + [paths.authtoken_conf],
            sidecar_env,
        ),
        Server(
            'sidecar-noauth',
            ports['sidecar-noauth'],
            sidecar
            + [
                str(ports['sidecar-noauth']),
                '--db',
                str(paths.db('sidecar-noauth')),
                '--noauth',
            ],
            '/',
            _sidecar_healthy,
            sidecar_code,
            sidecar_env,
        ),
    ]


def ensure_running(paths: Paths, server: Server) -> int:
    """Start ``server`` unless this stack already runs it; return its pid."""
    record = read_record(paths, server.name)
    fingerprint = server.fingerprint()
    if record is not None and record.get('fingerprint') != fingerprint:
        say(
            '%s: code or settings changed, restarting pid %d',
            server.name,
            record['pid'],
        )
        stop_pid(record['pid'], server.name)
        record = None
        wait_port_free(server)

    state = server.probe()
    if record is not None:
        if state != 'ok':
            wait_ready(paths, server, record['pid'])
        say('%s: running, pid %d, %s', server.name, record['pid'], server.url)
        return record['pid']
    if state != 'down':
        raise StackError(
            f'port {server.port} is taken by a process this stack did '
            f'not start ({server.url}); stop it or set '
            f'{DEFAULT_PORTS[server.name][0]} to another port'
        )

    log = paths.log(server.name)
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open('a') as stream:
        stream.write(f'\n$ {shlex.join(server.command)}\n')
        stream.flush()
        process = subprocess.Popen(
            server.command,
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            cwd=paths.root,
            env={**os.environ, **server.env},
            start_new_session=True,
        )
    write_private(
        paths.pid_record(server.name),
        json.dumps(
            {
                'pid': process.pid,
                'command': server.command,
                'fingerprint': fingerprint,
            }
        ),
    )
    try:
        wait_ready(paths, server, process.pid)
    except StackError:
        stop_pid(process.pid, server.name)
        raise
    say(
        '%s: started, pid %d, %s (ready in %.1f s)',
        server.name,
        process.pid,
        server.url,
        time.monotonic() - started,
    )
    return process.pid


def wait_port_free(server: Server, timeout: float = 10) -> None:
    """Give a server that was just stopped time to let go of its port."""
    deadline = time.monotonic() + timeout
    while server.probe() != 'down' and time.monotonic() < deadline:
        time.sleep(0.1)


def wait_ready(paths: Paths, server: Server, pid: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        state = server.probe()
        if state == 'ok':
            return
        if not pid_alive(pid):
            problem = 'exited before it answered'
            break
        if time.monotonic() > deadline:
            problem = f'did not answer within {READY_TIMEOUT:.0f} s'
            break
        time.sleep(0.25)
    raise StackError(
        f'{server.name} (pid {pid}) {problem} on {server.url}\n'
        + log_tail(paths.log(server.name))
    )


# -- Keystone ----------------------------------------------------------------


def keystone_python() -> str:
    """A Python new enough for Keystone to build its venv with."""
    chosen = os.environ.get('SIDECAR_STACK_PYTHON')
    if chosen:
        return chosen
    if sys.version_info >= KEYSTONE_FLOOR:
        return sys.executable
    check = f'import sys; sys.exit(sys.version_info < {KEYSTONE_FLOOR!r})'
    for name in ('python3.13', 'python3.12', 'python3.11', 'python3'):
        found = shutil.which(name)
        if (
            found
            and subprocess.run(
                [found, '-c', check], capture_output=True, check=False
            ).returncode
            == 0
        ):
            return found
    raise StackError(
        'Keystone needs Python {}.{} or newer and none was found; set '
        'SIDECAR_STACK_PYTHON'.format(*KEYSTONE_FLOOR)
    )


def ensure_venv(paths: Paths) -> None:
    # Whichever Python runs this script, a venv that still works is kept
    # until the requirements change.
    wanted = {'requirements': digest(REQUIREMENTS.read_text())}
    try:
        if (
            json.loads(paths.venv_marker.read_text()) == wanted
            and paths.venv_python.exists()
        ):
            say('keystone venv: reusing %s', paths.venv)
            return
    except (OSError, ValueError):
        pass

    python = keystone_python()

    started = time.monotonic()
    say(
        'keystone venv: installing keystone and waitress into %s '
        '(about a minute; pip log in %s)',
        paths.venv,
        paths.log('pip'),
    )
    if paths.venv.exists():
        shutil.rmtree(paths.venv)
    log = paths.log('pip')
    run_logged([python, '-m', 'venv', str(paths.venv)], log, 'venv')
    run_logged(
        [
            str(paths.venv_python),
            '-m',
            'pip',
            'install',
            '--disable-pip-version-check',
            '-r',
            str(REQUIREMENTS),
        ],
        log,
        f'pip install -r {REQUIREMENTS.name}',
    )
    paths.venv_marker.write_text(json.dumps(wanted))
    say('keystone venv: installed in %.0f s', time.monotonic() - started)


def keystone_conf(paths: Paths) -> str:
    keys = paths.keystone / 'fernet-keys'
    return '\n'.join(
        [
            '[DEFAULT]',
            'use_stderr = true',
            '',
            '[database]',
            f'connection = sqlite:///{paths.keystone / "keystone.db"}',
            '',
            '[token]',
            'provider = fernet',
            'expiration = 43200',
            '',
            '[fernet_tokens]',
            f'key_repository = {keys}',
            '',
            '[fernet_receipts]',
            f'key_repository = {keys}',
            '',
            '[credential]',
            f'key_repository = {paths.keystone / "credential-keys"}',
            '',
            '[cache]',
            '# One Keystone process: an in-memory cache is coherent.',
            'enabled = true',
            'backend = dogpile.cache.memory',
            '',
            '[identity]',
            '# Every token issued hashes a password: keep that cheap, it',
            '# is a throwaway stack.',
            'password_hash_rounds = 4',
            '',
        ]
    )


def ensure_keystone_setup(
    paths: Paths, ports: dict[str, int], passwords: dict[str, str]
) -> None:
    """db_sync, fernet and credential keys, bootstrap: once per settings."""
    conf = keystone_conf(paths)
    write_private(paths.keystone_conf, conf)
    identity_url = f'http://{HOST}:{ports["keystone"]}/v3'
    wanted = {
        'conf': digest(conf),
        'url': identity_url,
        'password': digest(passwords['admin']),
    }
    try:
        if json.loads(paths.keystone_marker.read_text()) == wanted:
            return
    except (OSError, ValueError):
        pass

    started = time.monotonic()
    say('keystone: db_sync, fernet_setup, credential_setup, bootstrap')
    manage = [
        str(paths.venv / 'bin' / 'keystone-manage'),
        '--config-file',
        str(paths.keystone_conf),
    ]
    owner = []
    if os.geteuid() == 0:
        # As root keystone-manage insists on knowing who owns the keys.
        owner = [
            '--keystone-user',
            pwd.getpwuid(os.geteuid()).pw_name,
            '--keystone-group',
            grp.getgrgid(os.getegid()).gr_name,
        ]
    # The database and the two key repositories are independent: make
    # them side by side, as each keystone-manage takes seconds to start.
    steps = {
        'db_sync': [],
        'fernet_setup': owner,
        'credential_setup': owner,
    }
    with concurrent.futures.ThreadPoolExecutor(len(steps)) as pool:
        runs = [
            pool.submit(
                run_logged,
                manage + [step] + options,
                paths.log(f'keystone-manage-{step}'),
                f'keystone-manage {step}',
            )
            for step, options in steps.items()
        ]
    for run in runs:
        run.result()
    log = paths.log('keystone-manage-bootstrap')
    bootstrap = {
        'username': 'admin',
        'project-name': 'admin',
        'role-name': 'admin',
        'service-name': 'keystone',
        'region-id': REGION,
        'admin-url': identity_url,
        'internal-url': identity_url,
        'public-url': identity_url,
    }
    run_logged(
        manage
        + ['bootstrap']
        + [
            word
            for name, value in bootstrap.items()
            for word in (f'--bootstrap-{name}', value)
        ],
        log,
        'keystone-manage bootstrap',
        # The password goes through the environment, not the command line.
        env={**os.environ, 'OS_BOOTSTRAP_PASSWORD': passwords['admin']},
    )
    paths.keystone_marker.write_text(json.dumps(wanted))
    say('keystone: set up in %.0f s', time.monotonic() - started)


def ensure_secrets(paths: Paths) -> dict[str, str]:
    """Passwords of admin, demo and the service user, made once."""
    try:
        return json.loads(paths.secrets.read_text())
    except (OSError, ValueError):
        pass
    if paths.keystone.exists():
        # Keystone's users were made with passwords now lost: start over.
        say(
            'keystone: %s is missing, rebuilding Keystone state', paths.secrets
        )
        stop_servers(paths, list(SERVER_NAMES))
        shutil.rmtree(paths.keystone)
    passwords = {
        user: secrets.token_urlsafe(16)
        for user in ('admin', 'demo', 'service')
    }
    write_private(paths.secrets, json.dumps(passwords, indent=2))
    return passwords


# -- Catalog and users -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    project_name: str
    user_domain_name: str = 'Default'
    project_domain_name: str = 'Default'

    def openrc_vars(self, auth_url: str) -> dict[str, str]:
        return {
            'OS_AUTH_URL': auth_url,
            'OS_USERNAME': self.username,
            'OS_PASSWORD': self.password,
            'OS_PROJECT_NAME': self.project_name,
            'OS_USER_DOMAIN_NAME': self.user_domain_name,
            'OS_PROJECT_DOMAIN_NAME': self.project_domain_name,
            'OS_IDENTITY_API_VERSION': '3',
            'OS_REGION_NAME': REGION,
            'OS_INTERFACE': 'public',
        }


def stack_credentials(passwords: dict[str, str]) -> dict[str, Credentials]:
    return {
        'admin': Credentials('admin', passwords['admin'], 'admin'),
        'demo': Credentials(DEMO_USER[0], passwords['demo'], DEMO_USER[1]),
        'service': Credentials(
            SERVICE_USER[0], passwords['service'], SERVICE_USER[1]
        ),
    }


def issue_token(
    auth_url: str, user: Credentials
) -> tuple[str, dict[str, Any]] | None:
    """A token for ``user`` and its body, or None when Keystone refuses."""
    status, headers, body = http(
        'POST',
        auth_url + '/auth/tokens',
        {
            'auth': {
                'identity': {
                    'methods': ['password'],
                    'password': {
                        'user': {
                            'name': user.username,
                            'password': user.password,
                            'domain': {'name': user.user_domain_name},
                        }
                    },
                },
                'scope': {
                    'project': {
                        'name': user.project_name,
                        'domain': {'name': user.project_domain_name},
                    }
                },
            }
        },
    )
    if status != 201 or not isinstance(body, dict):
        return None
    return headers['X-Subject-Token'], body['token']


def catalog_problems(
    auth_url: str, users: dict[str, Credentials], sidecar_url: str
) -> list[str]:
    """What is missing from Keystone; an empty list when nothing is."""
    problems = []
    issued = issue_token(auth_url, users['admin'])
    if issued is None:
        return ['the admin user cannot get a token']
    _token, admin = issued

    wanted = {
        (interface, REGION, sidecar_url)
        for interface in ('public', 'internal')
    }
    found = set()
    for service in admin.get('catalog', []):
        if service.get('type') == 'sidecar':
            found |= {
                (e.get('interface'), e.get('region_id'), e.get('url'))
                for e in service.get('endpoints', [])
            }
    stale = {
        endpoint
        for endpoint in found
        if endpoint[:2] in {(i, r) for i, r, _url in wanted}
    } - wanted
    if stale or not wanted <= found:
        problems.append(
            'sidecar endpoints are {}, not {}'.format(
                sorted(found) or 'missing', sorted(wanted)
            )
        )

    for key, (_name, _project, role) in (
        ('service', SERVICE_USER),
        ('demo', DEMO_USER),
    ):
        issued = issue_token(auth_url, users[key])
        token = issued[1] if issued else {}
        roles = {r['name'] for r in token.get('roles', [])}
        if role not in roles:
            problems.append(
                f'user {users[key].username} has no {role} role in '
                f'project {users[key].project_name}'
            )
    return problems


def openstack_cli(paths: Paths) -> list[str]:
    """The ``openstack`` command: the one beside this Python first.

    Then the project's .venv, then PATH; failing all, install one into
    the keystone venv.
    """
    chosen = os.environ.get('SIDECAR_STACK_OPENSTACK')
    if chosen:
        return [chosen]
    for candidate in (
        Path(sys.executable).parent / 'openstack',
        REPO / '.venv' / 'bin' / 'openstack',
        paths.venv / 'bin' / 'openstack',
    ):
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which('openstack')
    if found:
        return [found]
    say(
        'openstack CLI not found: installing python-openstackclient into '
        'the keystone venv'
    )
    run_logged(
        [
            str(paths.venv_python),
            '-m',
            'pip',
            'install',
            '--disable-pip-version-check',
            'python-openstackclient',
        ],
        paths.log('pip'),
        'pip install python-openstackclient',
    )
    return [str(paths.venv / 'bin' / 'openstack')]


def register(
    paths: Paths,
    auth_url: str,
    users: dict[str, Credentials],
    sidecar_url: str,
) -> None:
    """Create the service, endpoints, projects, users and roles.

    What exists is read over the API; what is missing is made by one
    ``openstack`` process that reads its commands from standard input
    (its interactive mode), which saves seconds of start-up per command.
    """
    started = time.monotonic()
    commands = catalog_commands(auth_url, users['admin'], sidecar_url)
    for key, (name, project, role) in (
        ('service', SERVICE_USER),
        ('demo', DEMO_USER),
    ):
        commands += [
            ['project', 'create', '--or-show', '--domain=default', project],
            [
                'user',
                'create',
                '--or-show',
                '--domain=default',
                f'--project={project}',
                # With "=": a password may start with "-".
                f'--password={users[key].password}',
                name,
            ],
            [
                'role',
                'add',
                f'--project={project}',
                '--project-domain=default',
                f'--user={name}',
                '--user-domain=default',
                role,
            ],
        ]

    cli = openstack_cli(paths)
    say('catalog: registering service sidecar and users with %s', cli[0])
    log = paths.log('openstack')
    # The interactive mode splits lines on white space whatever the
    # quotes, so no argument may hold any.
    if any(len(word.split()) != 1 for line in commands for word in line):
        raise StackError(f'an openstack argument holds a space: {commands}')
    script = ''.join(' '.join(command) + '\n' for command in commands)
    secrets_hidden = script
    for user in users.values():
        secrets_hidden = secrets_hidden.replace(user.password, '***')
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open('a') as stream:
        stream.write(f'\n# commands for openstack:\n{secrets_hidden}')
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith('OS_')
    }
    env.update(users['admin'].openrc_vars(auth_url))
    # The interactive mode exits 1 whatever happened: the caller checks
    # the result over the API instead.
    run_logged(cli, log, 'openstack', env=env, stdin=script, check=False)
    say('catalog: registered in %.0f s', time.monotonic() - started)


def catalog_commands(
    auth_url: str, admin: Credentials, sidecar_url: str
) -> list[list[str]]:
    """The openstack commands that make the sidecar service and endpoints."""
    issued = issue_token(auth_url, admin)
    if issued is None:
        raise StackError('the admin user cannot get a token')
    token = {'X-Auth-Token': issued[0]}

    _status, _headers, body = http(
        'GET', auth_url + '/services?type=sidecar', headers=token
    )
    found = [s for s in body['services'] if s['name'] == 'sidecar']
    if not found:
        return [
            ['service', 'create', '--name=sidecar', 'sidecar'],
        ] + [
            [
                'endpoint',
                'create',
                f'--region={REGION}',
                'sidecar',
                i,
                sidecar_url,
            ]
            for i in ('public', 'internal')
        ]

    service_id = found[0]['id']
    _status, _headers, body = http(
        'GET', auth_url + f'/endpoints?service_id={service_id}', headers=token
    )
    commands = []
    for interface in ('public', 'internal'):
        mine = [
            e
            for e in body['endpoints']
            if e['interface'] == interface and e['region_id'] == REGION
        ]
        if not mine:
            commands.append(
                [
                    'endpoint',
                    'create',
                    f'--region={REGION}',
                    service_id,
                    interface,
                    sidecar_url,
                ]
            )
        commands += [
            ['endpoint', 'set', f'--url={sidecar_url}', e['id']]
            for e in mine
            if e['url'] != sidecar_url
        ]
    return commands


# -- Files for people and tests ----------------------------------------------


def openrc_text(variables: dict[str, str]) -> str:
    lines = [
        f'# {variables["OS_USERNAME"]} on the local stack of tools/stack.py',
        'unset OS_CLOUD OS_TOKEN OS_AUTH_TYPE OS_ENDPOINT',
    ]
    lines += [
        f'export {key}={shlex.quote(value)}'
        for key, value in variables.items()
    ]
    return '\n'.join(lines) + '\n'


def clouds_yaml_text(auth_url: str, users: dict[str, Credentials]) -> str:
    # JSON strings are YAML strings: no YAML library needed.
    lines = ['clouds:']
    for cloud, key in (('sidecar-admin', 'admin'), ('sidecar-demo', 'demo')):
        user = users[key]
        lines += [
            f'  {cloud}:',
            '    auth:',
            f'      auth_url: {json.dumps(auth_url)}',
            f'      username: {json.dumps(user.username)}',
            f'      password: {json.dumps(user.password)}',
            f'      project_name: {json.dumps(user.project_name)}',
            f'      user_domain_name: {json.dumps(user.user_domain_name)}',
            '      project_domain_name: '
            + json.dumps(user.project_domain_name),
            f'    region_name: {json.dumps(REGION)}',
            '    interface: public',
            '    identity_api_version: 3',
        ]
    return '\n'.join(lines) + '\n'


def authtoken_conf_text(auth_url: str, service: Credentials) -> str:
    return '\n'.join(
        [
            '[keystone_authtoken]',
            f'www_authenticate_uri = {auth_url}',
            f'auth_url = {auth_url}',
            'auth_type = password',
            f'username = {service.username}',
            f'password = {service.password}',
            f'project_name = {service.project_name}',
            f'user_domain_name = {service.user_domain_name}',
            f'project_domain_name = {service.project_domain_name}',
            f'region_name = {REGION}',
            'interface = public',
            'service_token_roles_required = true',
            '',
        ]
    )


# -- Commands ----------------------------------------------------------------


def up() -> int:
    started = time.monotonic()
    paths = stack_paths()
    ports = stack_ports()
    with stack_lock(paths):
        passwords = ensure_secrets(paths)
        users = stack_credentials(passwords)
        servers = {s.name: s for s in stack_servers(paths, ports)}
        auth_url = servers['keystone'].url + '/v3'
        sidecar_url = servers['sidecar'].url + '/v2'

        ensure_venv(paths)
        ensure_keystone_setup(paths, ports, passwords)
        pids = {'keystone': ensure_running(paths, servers['keystone'])}

        problems = catalog_problems(auth_url, users, sidecar_url)
        if problems:
            register(paths, auth_url, users, sidecar_url)
            problems = catalog_problems(auth_url, users, sidecar_url)
            if problems:
                raise StackError(
                    'Keystone is still not set up after registering: '
                    + '; '.join(problems)
                    + '\n'
                    + log_tail(paths.log('openstack'))
                )
        else:
            say('catalog: sidecar service and users are registered')

        write_private(
            paths.authtoken_conf,
            authtoken_conf_text(auth_url, users['service']),
        )
        for name in ('sidecar', 'sidecar-noauth'):
            pids[name] = ensure_running(paths, servers[name])

        write_client_files(paths, auth_url, users)
        write_stack_json(paths, servers, pids, users)

    say('ready in %.0f s', time.monotonic() - started)
    noauth_url = servers['sidecar-noauth'].url + '/v2'
    python = Path(sys.executable).name
    print(
        f"""
  Admin:   . {paths.openrc}
  Demo:    . {paths.openrc_demo}
  Clouds:  export OS_CLIENT_CONFIG_FILE={paths.clouds_yaml}
           (clouds sidecar-admin and sidecar-demo)
  Sidecar: {sidecar_url} (Keystone auth), {noauth_url} (no auth)
  Stop:    {python} {_this_script()} down"""
    )
    return 0


def write_client_files(
    paths: Paths, auth_url: str, users: dict[str, Credentials]
) -> None:
    write_private(
        paths.openrc, openrc_text(users['admin'].openrc_vars(auth_url))
    )
    write_private(
        paths.openrc_demo, openrc_text(users['demo'].openrc_vars(auth_url))
    )
    write_private(paths.clouds_yaml, clouds_yaml_text(auth_url, users))


def write_stack_json(
    paths: Paths,
    servers: dict[str, Server],
    pids: dict[str, int],
    users: dict[str, Credentials],
) -> None:
    keystone = servers['keystone']
    info = {
        'stack_dir': str(paths.root),
        'region_name': REGION,
        'interface': 'public',
        'keystone': {
            'url': keystone.url,
            'auth_url': keystone.url + '/v3',
            'port': keystone.port,
            'pid': pids['keystone'],
            'log': str(paths.log('keystone')),
        },
        'users': {
            key: dataclasses.asdict(user) for key, user in users.items()
        },
        'openrc': str(paths.openrc),
        'openrc_demo': str(paths.openrc_demo),
        'clouds_yaml': str(paths.clouds_yaml),
        'clouds': {'admin': 'sidecar-admin', 'demo': 'sidecar-demo'},
        # How to run another reference server, e.g. a throwaway one.
        'server_python': str(paths.venv_python),
        'server_pythonpath': str(REFERENCE_SERVER),
        'authtoken_conf': str(paths.authtoken_conf),
    }
    for name in ('sidecar', 'sidecar-noauth'):
        server = servers[name]
        info[name.replace('-', '_')] = {
            'url': server.url,
            'endpoint': server.url + '/v2',
            'port': server.port,
            'pid': pids[name],
            'db': str(paths.db(name)),
            'log': str(paths.log(name)),
            'command': server.command,
        }
    write_private(paths.stack_json, json.dumps(info, indent=2) + '\n')


def down(names: list[str]) -> int:
    unknown = sorted(set(names) - set(SERVER_NAMES))
    if unknown:
        raise StackError(
            'no server named {}; the servers are {}'.format(
                ', '.join(unknown), ', '.join(SERVER_NAMES)
            )
        )
    paths = stack_paths()
    with stack_lock(paths):
        stop_servers(paths, names or list(SERVER_NAMES))
    return 0


def stop_servers(paths: Paths, names: list[str]) -> None:
    # Stop the Sidecar servers first: they depend on Keystone.
    for name in sorted(names, key=SERVER_NAMES.index, reverse=True):
        record = read_record(paths, name)
        if record is None:
            say('%s: not running', name)
            continue
        stop_pid(record['pid'], name)
        paths.pid_record(name).unlink(missing_ok=True)
        say('%s: stopped pid %d', name, record['pid'])


def status() -> int:
    paths = stack_paths()
    servers = stack_servers(paths, stack_ports())
    all_up = True
    for server in servers:
        record = read_record(paths, server.name)
        state = server.probe()
        if record is not None and state == 'ok':
            text = f'running, pid {record["pid"]}'
        elif record is not None:
            text = f'pid {record["pid"]} alive but not answering'
        elif state == 'ok':
            text = 'answering, but not started by this stack'
        else:
            text = 'stopped'
        all_up = all_up and record is not None and state == 'ok'
        print(f'{server.name:15} {text:45} {server.url}')
    print(f'state in {paths.root}')
    return 0 if all_up else 3


def env(user: str) -> int:
    paths = stack_paths()
    rc = paths.openrc if user == 'admin' else paths.openrc_demo
    if not rc.exists():
        raise StackError(f'no {rc} yet: run "{_this_script()} up" first')
    sys.stdout.write(rc.read_text())
    print(
        f'export OS_CLIENT_CONFIG_FILE={shlex.quote(str(paths.clouds_yaml))}'
    )
    return 0


def serve_keystone(port: int, config: str) -> int:
    """Serve Keystone with waitress; runs inside the keystone venv."""
    # Keystone parses sys.argv with oslo.config at start: hide ours.
    sys.argv = sys.argv[:1]
    os.environ['OS_KEYSTONE_CONFIG_FILES'] = config

    import waitress
    from keystone.server import wsgi

    application = wsgi.initialize_public_application()
    waitress.serve(
        application, host=HOST, port=port, threads=4, ident='keystone'
    )
    return 0


def _this_script() -> str:
    try:
        return str(Path(__file__).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(Path(__file__).resolve())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n', 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('up', help='install, start and register')
    stop = commands.add_parser('down', help='stop servers, keep data')
    stop.add_argument(
        'servers',
        nargs='*',
        metavar='SERVER',
        help='only these of {} (default: all)'.format(', '.join(SERVER_NAMES)),
    )
    commands.add_parser('status', help='exit 0 when everything runs')
    exports = commands.add_parser('env', help='print shell exports')
    exports.add_argument('--user', choices=('admin', 'demo'), default='admin')
    serve = commands.add_parser('serve-keystone')
    serve.add_argument('--port', type=int, required=True)
    serve.add_argument('--config', required=True)
    args = parser.parse_args(argv)

    try:
        if args.command == 'up':
            return up()
        if args.command == 'down':
            return down(args.servers)
        if args.command == 'status':
            return status()
        if args.command == 'env':
            return env(args.user)
        return serve_keystone(args.port, args.config)
    except StackError as exc:
        print(f'stack: error: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
