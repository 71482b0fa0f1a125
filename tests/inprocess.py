"""Run the legacy ``sidecar`` shell inside the test process."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import pytest

from sidecarclient import shell


@dataclasses.dataclass
class Run:
    """What one command line run ended with."""

    code: int
    stdout: str
    stderr: str


def sidecar_runner(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Run]:
    """A function running ``sidecar ARGV``, with no OS_* variable set."""
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)

    def run(*argv: str) -> Run:
        capsys.readouterr()
        try:
            code = shell.main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run
