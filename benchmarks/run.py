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
import json
import os
import platform
import sys
import time
from pathlib import Path

import environment
import measure
import scenarios


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
        epilog='scenarios: ' + ', '.join(scenarios.SCENARIOS),
    )
    parser.add_argument('--quick', action='store_true',
                        help='fewer rounds: under 3 minutes')
    parser.add_argument('--only', nargs='+', choices=scenarios.SCENARIOS,
                        metavar='SCENARIO', help='run only these')
    parser.add_argument('--markdown', action='store_true',
                        help='print the table as Markdown')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the rows and notes to FILE')
    args = parser.parse_args(argv)

    environment.WORK_DIR.mkdir(parents=True, exist_ok=True)
    # Every request of this process goes to 127.0.0.1, never a proxy.
    os.environ.update({k: v for k, v in environment.clean_env().items()
                       if k.lower() == 'no_proxy'})
    ctx = scenarios.Context(
        scenarios.Settings.for_mode(args.quick),
        environment.Stack(),
        measure.Report(),
        environment.BenchVenv(environment.WORK_DIR),
    )
    started = time.monotonic()
    cpus = os.cpu_count() or 1
    loads: dict[str, float] = {}
    for name in args.only or scenarios.SCENARIOS:
        environment.say('%s ...', name)
        scenario_started = time.monotonic()
        load_before = os.getloadavg()[0]
        try:
            scenarios.RUNNERS[name](ctx)
        except Exception as exc:  # noqa: BLE001
            # One scenario failing leaves the others their chance.
            text = str(exc).splitlines()[0] if str(exc) else repr(exc)
            ctx.report.failed.append(f'{name}: {type(exc).__name__}: {text}')
            environment.say('%s could not run: %s', name, text)
        finally:
            while ctx.cleanups:
                cleanup = ctx.cleanups.pop()
                try:
                    cleanup()
                except Exception as exc:  # noqa: BLE001
                    environment.say(
                        'cleanup after %s failed: %s', name, exc
                    )
        environment.say(
            '%s done in %.0f s', name, time.monotonic() - scenario_started
        )
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
    print(measure.table_markdown(report.rows) if args.markdown
          else measure.table_text(report.rows))
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
