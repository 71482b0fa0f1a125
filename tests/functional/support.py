"""Helpers shared by the functional tests of the three front ends.

Nothing here is a fixture: the fixtures live in ``conftest.py`` and in
the test modules. These are the small tools the modules have in common:
unique names, library clients for the stack's users, a recorder of the
HTTP responses a client receives, and running a command line as a
subprocess and reading its tables.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import requests

from sidecarclient import client
from sidecarclient import exceptions

# The command lines installed beside the Python running the tests.
BIN = Path(sys.executable).parent
OPENSTACK = str(BIN / 'openstack')
SIDECAR = str(BIN / 'sidecar')

# Seconds a command line may take before the test gives up on it.
COMMAND_TIMEOUT = 90

EVENT_KEYS = frozenset({
    'id',
    'name',
    'event_status',
    'node_uuid',
    'event_create_time',
    'event_complete_time',
    'vm_uuid_list',
    'extra',
})
EVENT_ID = re.compile(r'[0-9a-f]{32}')
SERVER_TIME = re.compile(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d')
V2_DATE = '2016-08-07T00:00:00'


# Marks the names of this run's events, for sweep() to find them.
RUN = uuid.uuid4().hex[:6]


def unique_name(prefix: str = 'ft') -> str:
    """An event name no other test (or earlier run) has used."""
    return f'{prefix}-{RUN}-{uuid.uuid4().hex[:8]}'


def unique_node() -> str:
    """A failed host of the test's own: filtering on it isolates its
    events from everything else on a shared server."""
    return f'node-{uuid.uuid4()}'


def password_client(stack: Any, user: str = 'admin',
                    password: str | None = None,
                    **kwargs: Any) -> client.Client:
    """A library client that logs in with Identity v3 as ``user``.

    ``password`` replaces the user's own; ``kwargs`` go to the client.
    """
    who = stack.admin if user == 'admin' else stack.demo
    kwargs.setdefault('region_name', stack.region_name)
    return client.Client(
        auth_url=stack.auth_url,
        auth_version=3,
        username=who.username,
        password=who.password if password is None else password,
        project_name=who.project_name,
        user_domain_name=who.user_domain_name,
        project_domain_name=who.project_domain_name,
        **kwargs,
    )


def fill(endpoint: str, count: int) -> list[str]:
    """Create ``count`` events on a no-auth server; newest first.

    Event number ``n`` is named ``page-<n>`` and is on node
    ``node-<n % 3>``. The reference server keeps events created within
    one second in the reverse order of creation, so the ids come back
    in the order a listing must show them.
    """
    # The no-auth server ignores the token.
    with client.Client(auth_token='unused', endpoint=endpoint) as sidecar:
        created = [
            sidecar.events.create(f'page-{number:03d}', f'node-{number % 3}')
            for number in range(count)
        ]
    return [event.id for event in reversed(created)]


def sweep(stack: Any) -> None:
    """Delete the events this run left on the stack's two servers.

    The stack keeps its data between runs; without this, every run
    would add its events to what ``openstack sidecar event list`` shows.
    """
    marker = f'-{RUN}-'
    sidecars = [
        password_client(stack),
        client.Client(auth_token='unused', endpoint=stack.noauth_endpoint),
    ]
    for sidecar in sidecars:
        with sidecar:
            for event in list(sidecar.events.list()):
                if marker not in event.name.lower():
                    continue
                try:
                    if event.event_status != 'completed':
                        sidecar.events.edit(
                            event.id, event_status='completed'
                        )
                    sidecar.events.delete(event.id)
                except exceptions.NotFound:
                    pass


class Wire:
    """Every response one client receives from a server, in order.

    It hooks the requests session under the client's keystoneauth
    session, so it sees exactly what came over the wire, before the
    library read it. Only responses from URLs under ``base_url`` are
    kept, which leaves out the token requests to Keystone.
    """

    def __init__(self, sidecar: client.Client, base_url: str) -> None:
        self.base_url = base_url.rstrip('/') + '/'
        self.responses: list[requests.Response] = []
        sidecar.session.session.hooks['response'].append(self._record)

    def _record(self, response: requests.Response, *args: Any,
                **kwargs: Any) -> None:
        if response.url.startswith(self.base_url):
            self.responses.append(response)

    @property
    def last(self) -> requests.Response:
        assert self.responses, 'no request reached the server'
        return self.responses[-1]

    def clear(self) -> None:
        self.responses.clear()


def assert_event_body(body: Any) -> dict[str, Any]:
    """Check the JSON of one event as the API documents it."""
    assert isinstance(body, dict)
    assert set(body) == EVENT_KEYS
    assert EVENT_ID.fullmatch(body['id'])
    assert isinstance(body['name'], str)
    assert isinstance(body['node_uuid'], str)
    assert body['event_status'] in ('created', 'running', 'completed')
    assert SERVER_TIME.fullmatch(body['event_create_time'])
    if body['event_status'] == 'completed':
        assert SERVER_TIME.fullmatch(body['event_complete_time'])
        assert body['event_complete_time'] >= body['event_create_time']
    assert isinstance(body['vm_uuid_list'], list)
    assert all(isinstance(vm, str) for vm in body['vm_uuid_list'])
    return body


def run(command: str, *args: str, env: dict[str, str],
        timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run a command line to completion and capture what it printed."""
    return subprocess.run(
        [command, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    """Check that a command succeeded; return its standard output."""
    assert result.returncode == 0, (
        f'{result.args} exited {result.returncode}:\n{result.stderr}'
    )
    return result.stdout


def failed(result: subprocess.CompletedProcess[str],
           *fragments: str, code: int = 1) -> str:
    """Check that a command failed cleanly; return its standard error.

    A clean failure exits with ``code``, prints no traceback, and says
    every one of ``fragments`` on standard error.
    """
    assert result.returncode == code, (
        f'{result.args} exited {result.returncode}, not {code}:\n'
        f'{result.stdout}\n{result.stderr}'
    )
    assert 'Traceback' not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (
            f'{fragment!r} not in the error output:\n{result.stderr}'
        )
    return result.stderr


def json_output(result: subprocess.CompletedProcess[str]) -> Any:
    """The parsed ``-f json`` output of a command that succeeded."""
    return json.loads(succeeded(result))


def parse_table(text: str) -> list[dict[str, str]]:
    """Read a prettytable as printed: one dict per row, by heading.

    A cell spread over several lines (a list of instance ids) comes
    back joined with newlines; such a line is recognised by its empty
    first cell.
    """
    lines = [line for line in text.splitlines() if line.startswith('|')]
    assert lines, f'no table in:\n{text}'
    headings = _cells(lines[0])
    rows: list[list[str]] = []
    for line in lines[1:]:
        cells = _cells(line)
        assert len(cells) == len(headings), line
        if rows and not cells[0]:
            previous = rows[-1]
            for index, cell in enumerate(cells):
                if cell:
                    previous[index] += '\n' + cell
        else:
            rows.append(cells)
    return [dict(zip(headings, row, strict=True)) for row in rows]


def headings(text: str) -> list[str]:
    """The column headings of a printed prettytable."""
    first = next(line for line in text.splitlines() if line.startswith('|'))
    return _cells(first)


def parse_fields(text: str) -> dict[str, str]:
    """Read a "Field Name | Value" table into a dict."""
    return {
        row['Field Name']: row['Value'] for row in parse_table(text)
    }


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip('|').split('|')]
