"""One client shared by many threads, against a real server.

Sixteen threads share one :class:`~sidecarclient.v2.client.Client` and
make 200 calls each on events of their own (create, detail, list, find,
edit, delete) against a throwaway reference server behind the stack's
Keystone. Afterwards the server must hold exactly the events the
threads meant to keep, none twice and none lost, and the client must
have asked Keystone for a token once in all.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from sidecarclient import client as sidecar_client
from sidecarclient import exceptions
from tests.functional import conftest

THREADS = 16
CALLS_PER_THREAD = 200
# The calls of one round on one event; every KEEP_EVERY-th event is
# kept, the others deleted.
CALLS_PER_ROUND = 8
ROUNDS = CALLS_PER_THREAD // CALLS_PER_ROUND
KEEP_EVERY = 5
# Far above the time the calls take on two cores, so that a hang
# fails the test instead of stalling the run.
DEADLINE = 600


def _name(thread: int, round: int) -> str:
    return f'conc-t{thread:02d}-r{round:02d}'


def _worker(
    sidecar: sidecar_client.Client, thread: int, counted: list[int]
) -> None:
    """ROUNDS rounds of CALLS_PER_ROUND calls on events of this thread."""
    node = f'node-t{thread:02d}'
    calls = 0
    for round in range(ROUNDS):
        name = _name(thread, round)
        event = sidecar.events.create(name, node, [f'vm-{round}'])
        assert sidecar.events.detail(event.id).name == name
        assert [e.id for e in sidecar.events.list(name=name)] == [event.id]
        sidecar.events.edit(event.id, event_status='running')
        found = sidecar.events.find(name)
        assert (found.id, found.event_status) == (event.id, 'running')
        sidecar.events.edit(event.id, event_status='completed')
        recent = list(sidecar.events.list(node_uuid=node, limit=3))
        assert 1 <= len(recent) <= 3
        assert {e.node_uuid for e in recent} == {node}
        if round % KEEP_EVERY == 0:
            assert sidecar.events.detail(event.id).event_status == (
                'completed'
            )
        else:
            sidecar.events.delete(event.id)
        calls += CALLS_PER_ROUND
    counted[thread] = calls


@pytest.fixture
def auth_server(
    reference_server_factory: Callable[..., conftest.ReferenceServer],
) -> conftest.ReferenceServer:
    """An empty reference server that checks tokens with Keystone."""
    return reference_server_factory(noauth=False)


def test_one_client_shared_by_sixteen_threads(
    stack: conftest.Stack,
    auth_server: conftest.ReferenceServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = stack.admin
    sidecar = sidecar_client.Client(
        auth_url=stack.auth_url,
        auth_version=3,
        username=admin.username,
        password=admin.password,
        project_name=admin.project_name,
        user_domain_name=admin.user_domain_name,
        project_domain_name=admin.project_domain_name,
        endpoint=auth_server.endpoint,
        timeout=60,
    )
    plugin = sidecar.session.auth
    token_requests: list[str] = []
    lock = threading.Lock()
    get_auth_ref = plugin.get_auth_ref

    def counting(*args: Any, **kwargs: Any) -> Any:
        with lock:
            token_requests.append(threading.current_thread().name)
        return get_auth_ref(*args, **kwargs)

    plugin.get_auth_ref = counting

    counted = [0] * THREADS
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    cpu_started = time.process_time()
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        futures = [
            pool.submit(_worker, sidecar, thread, counted)
            for thread in range(THREADS)
        ]
        done, not_done = concurrent.futures.wait(futures, timeout=DEADLINE)
    elapsed = time.monotonic() - started
    client_cpu = time.process_time() - cpu_started

    assert not not_done, f'threads still running after {DEADLINE} s'
    errors = [
        ''.join(traceback.format_exception(future.exception()))
        for future in done if future.exception() is not None
    ]
    assert errors == [], errors[0] if errors else ''
    assert sum(counted) == THREADS * CALLS_PER_THREAD
    assert len(token_requests) == 1

    # Exactly the kept events are left, each once; a fresh client reads
    # them, so nothing cached in the shared one can hide a loss.
    reader = sidecar_client.Client(
        auth_token=sidecar.session.get_token(),
        endpoint=auth_server.endpoint,
    )
    left = list(reader.events.list())
    expected = {
        _name(thread, round)
        for thread in range(THREADS)
        for round in range(0, ROUNDS, KEEP_EVERY)
    }
    assert sorted(event.name for event in left) == sorted(expected)
    assert len({event.id for event in left}) == len(left)
    assert {event.event_status for event in left} == {'completed'}
    with pytest.raises(exceptions.NoSuchEvent):
        reader.events.find(_name(0, 1))

    # A client shared by more threads than the connection pool holds
    # drops the extra connections, with a warning each time.
    dropped = sum(
        'Connection pool is full' in record.getMessage()
        for record in caplog.records
    )
    print(
        f'\n{THREADS} threads x {CALLS_PER_THREAD} calls: {elapsed:.1f} s '
        f'({client_cpu:.1f} s of CPU in the client), '
        f'{len(token_requests)} token request, {dropped} connections '
        f'dropped from a full pool'
    )
