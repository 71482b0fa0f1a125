"""Measuring and reporting: samples, turns, medians and the table."""

from __future__ import annotations

import dataclasses
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


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


def peak_memory(action: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``action`` ran (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


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


def megabytes(count: int) -> str:
    return f'{count / 1e6:.1f} MB'


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
