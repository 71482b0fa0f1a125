"""The scenarios: each measures something against its baseline."""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import environment
import measure

PAGING_EVENTS = 10_000
DETAIL_CALLS = 1_000


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


@dataclasses.dataclass
class Context:
    settings: Settings
    stack: environment.Stack
    report: measure.Report
    venv: environment.BenchVenv
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

    def runner(argv: list[str], on: bool) -> Callable[[], measure.Sample]:
        def run() -> measure.Sample:
            venv.plug(on)
            return environment.run_command(argv, env)[0]

        return run

    # The warm-up round builds each state's entry-point cache and bytecode.
    samples = measure.take_turns(
        {(name, on): runner(argv, on)
         for name, argv in commands.items() for on in (True, False)},
        ctx.settings.osc_rounds,
    )
    for name in commands:
        ctx.report.rows.append(measure.compare(
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
        ctx.report.rows.append(measure.Row(
            'osc-startup', f'{name}: Python function calls (cProfile)',
            f'{calls[True]:,}', 'same, plugin uninstalled',
            f'{calls[False]:,}', f'{ratio:.4f}', budget='<= 1.02',
            verdict='PASS' if ratio <= 1.02 else 'OVER',
        ))


def function_calls(
    venv: environment.BenchVenv, argv: list[str], plugged: bool
) -> int:
    """How many Python function calls one run of ``argv`` makes."""
    import pstats

    venv.plug(plugged)
    with tempfile.TemporaryDirectory(dir=environment.WORK_DIR) as tmp:
        out = Path(tmp) / 'profile'
        # The working directory, on sys.path under "python -m", is the
        # empty one of spawn(), never written to: stevedore's cache key
        # is sys.path with its directories' time stamps. The first run
        # fills that cache, the second is counted.
        for _ in range(2):
            environment.run_command(
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
    path = environment.WORK_DIR / 'package-only'
    path.mkdir(exist_ok=True)
    link = path / 'sidecarclient'
    if not link.is_symlink():
        link.symlink_to(environment.REPO / 'sidecarclient')
    env = venv.env(PYTHONPATH=str(path))
    argv = [str(venv.python), '-X', 'importtime',
            str(environment.HERE / 'import_probe.py'), *modules]
    # The first run compiles what changed; the second is measured.
    for _ in range(2):
        done = environment.spawn(argv, env)
        if done.returncode != 0:
            raise environment.BenchError(
                'import probe failed: ' + done.stderr[-600:]
            )
    added = json.loads(done.stdout)
    cumulative = _import_times(done.stderr)
    for module in modules:
        foreign = [m for m in added[module]
                   if m != 'sidecarclient'
                   and not m.startswith('sidecarclient.')]
        is_plugin = module.endswith('.plugin')
        took = cumulative.get(module)
        ctx.report.rows.append(measure.Row(
            'osc-imports',
            f'import {module} after openstackclient.shell (importtime)',
            '?' if took is None else measure.seconds(took / 1e6),
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
    env = environment.clean_env()
    commands = {
        'python -c pass': [python, '-c', 'pass'],
        'import keystoneauth1.session': [
            python, '-c', 'import keystoneauth1.session'],
        'sidecar --version': [sidecar, '--version'],
        'sidecar help': [sidecar, 'help'],
    }
    samples = measure.take_turns(
        {name: (lambda argv=argv: environment.run_command(argv, env)[0])
         for name, argv in commands.items()},
        ctx.settings.startup_runs,
    )
    rows = ctx.report.rows
    for name, budget in (('sidecar --version', 1.2), ('sidecar help', None)):
        rows.append(measure.compare(
            'shell-startup', name, samples[name],
            'python -c "import keystoneauth1.session"',
            samples['import keystoneauth1.session'], budget=budget,
        ))
    rows.append(measure.compare(
        'shell-startup', 'sidecar --version', samples['sidecar --version'],
        'python -c pass', samples['python -c pass'],
    ))


def e2e(ctx: Context) -> None:
    """Both command lines listing events, against the raw floor."""
    bin_dir = Path(sys.executable).parent
    env = environment.clean_env(**ctx.stack.openrc())
    commands = {
        'raw requests': [
            sys.executable, str(environment.HERE / 'raw_list.py')],
        'sidecar evacuates-events-list': [
            str(bin_dir / 'sidecar'), 'evacuates-events-list'],
        'openstack sidecar event list': [
            str(bin_dir / 'openstack'), 'sidecar', 'event', 'list'],
    }
    server_root = ctx.stack.info['sidecar']['url'] + '/'

    def runner(argv: list[str]) -> Callable[[], measure.Sample]:
        return lambda: environment.again_after_outage(
            ctx.report, server_root,
            lambda: environment.run_command(argv, env)[0],
        )

    _, listed = environment.again_after_outage(
        ctx.report, server_root,
        lambda: environment.run_command(
            commands['raw requests'], env, capture=True),
    )
    samples = measure.take_turns(
        {name: runner(argv) for name, argv in commands.items()},
        ctx.settings.e2e_runs,
    )
    for name in ('sidecar evacuates-events-list',
                 'openstack sidecar event list'):
        ctx.report.rows.append(measure.compare(
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

    def again_after_restart(
        action: Callable[[], environment.T]
    ) -> environment.T:
        return environment.again_after_outage(
            ctx.report, server_root, action
        )

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

    samples = measure.take_turns(
        {'client': lambda: again_after_restart(
            lambda: measure.timed(with_client)),
         'raw': lambda: again_after_restart(
            lambda: measure.timed(with_raw))},
        ctx.settings.throughput_rounds,
    )
    ctx.report.rows.append(measure.compare(
        'throughput', f'{DETAIL_CALLS} events.detail()', samples['client'],
        f'{DETAIL_CALLS} raw Session GETs', samples['raw'], budget=1.25,
    ))
    tokens = sent.count('POST', '/auth/tokens')
    ctx.report.rows.append(measure.Row(
        'throughput', 'token requests by the client, whole scenario',
        str(tokens), budget='= 1', verdict='PASS' if tokens == 1 else 'OVER',
    ))
    ctx.report.rows.append(measure.Row(
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

    server = environment.ReferenceServer(ctx.stack, 'paging')
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
        raise environment.BenchError(
            'the raw loop did not reach an empty page'
        )

    def client_list(size: int) -> int:
        return sum(1 for _ in sidecar.events.list(page_size=size))

    def client_len(size: int) -> int:
        return len(sidecar.events.list(page_size=size))

    def measure_at(size: int) -> None:
        counts: dict[str, int] = {}

        def run(name: str, action: Callable[[int], int]) -> measure.Sample:
            def call() -> None:
                counts[name] = action(size)

            return measure.timed(call)

        sent.sent.clear()
        raw_sent.sent.clear()
        samples = measure.take_turns(
            {'client': lambda: run('client', client_list),
             'raw': lambda: run('raw', raw_list)},
            ctx.settings.paging_rounds,
        )
        # Every round lists once with each, and so does the warm-up.
        listings = ctx.settings.paging_rounds + 1
        per_list = len(sent.sent) // listings
        rows = ctx.report.rows
        rows.append(measure.compare(
            'paging', f'list {PAGING_EVENTS} events, page {size}',
            samples['client'], 'raw marker loop', samples['raw'],
            budget=1.25,
        ))
        rows.append(measure.Row(
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
            'lazy': measure.peak_memory(lambda: client_list(size)),
            'len': measure.peak_memory(lambda: client_len(size)),
            'raw': measure.peak_memory(lambda: raw_list(size)),
        }
        for name, how in (('lazy', 'iterating lazily'), ('len', 'len()')):
            rows.append(measure.Row(
                'paging', f'peak memory, {how}, page {size}',
                measure.megabytes(peaks[name]), 'raw loop',
                measure.megabytes(peaks['raw']),
                f'{peaks[name] / peaks["raw"]:.2f}',
            ))

    measure_at(100)
    measure_at(1000)


RUNNERS: dict[str, Callable[[Context], None]] = {
    'osc-startup': osc_startup,
    'osc-imports': osc_imports,
    'shell-startup': shell_startup,
    'e2e': e2e,
    'throughput': throughput,
    'paging': paging,
}

SCENARIOS = tuple(RUNNERS)
