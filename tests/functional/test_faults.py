"""How the client behaves when the network, Sidecar or Keystone fails.

Each fault is produced for real on 127.0.0.1: a port with no listener, a
server that accepts and never answers, small HTTP servers of the test's
own that answer with chosen statuses and bodies or drop the connection,
a proxy in front of a throwaway reference server, and the stack's
Keystone revoking a token. Every server here counts the requests it
gets, so a retry the client should not make is seen, not guessed.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sidecarclient import client as sidecar_client
from sidecarclient import exceptions
from tests import inprocess
from tests.functional import conftest
from tests.inprocess import Run

EVENTS_PATH = '/v2/evacuates/events'
JSON_TYPE = {'Content-Type': 'application/json'}
HTML_PAGE = (
    b'<html><head><title>500 Internal Server Error</title></head>'
    b'<body><h1>Internal Server Error</h1><pre>Traceback ...</pre>'
    b'</body></html>'
)
# The upper bound of anything expected to take about a second: loose
# enough for a loaded machine, far below a second try of anything.
SLOW = 10.0

# (status, headers, body) to send, or None to close the connection
# without answering.
Answer = tuple[int, dict[str, str], bytes] | None
Responder = Callable[['Seen'], Answer]


@dataclasses.dataclass(frozen=True)
class Seen:
    """One request as a fake server received it."""

    method: str
    path: str
    body: bytes


def json_answer(status: int, data: Any) -> Answer:
    return status, dict(JSON_TYPE), json.dumps(data).encode()


def event_info(name: str = 'host-1', **fields: Any) -> dict[str, Any]:
    info = {
        'id': uuid.uuid4().hex,
        'name': name,
        'event_status': 'created',
        'node_uuid': 'node-1',
        'event_create_time': '2026-12-03 10:00:00',
        'event_complete_time': None,
        'vm_uuid_list': [],
        'extra': None,
    }
    info.update(fields)
    return info


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FakeServer

    def _serve(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        seen = Seen(self.command, self.path, self.rfile.read(length))
        self.server.record(seen)
        answer = self.server.respond(seen)
        if answer is None:
            # The request was read in full; closing now loses the answer.
            self.close_connection = True
            return
        status, headers, body = answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeServer(http.server.ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 whose answers a test function gives."""

    daemon_threads = True

    def __init__(self, respond: Responder) -> None:
        super().__init__(('127.0.0.1', 0), _Handler)
        self.respond = respond
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self.url = f'http://127.0.0.1:{self.server_address[1]}'
        self.endpoint = self.url + '/v2'
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={'poll_interval': 0.05},
            daemon=True,
        )
        self._thread.start()

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def count(self, method: str) -> int:
        with self._lock:
            return sum(1 for seen in self.seen if seen.method == method)

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers on any."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(16)
        # accept() wakes up now and then to see whether to stop.
        self._listener.settimeout(0.05)
        self.url = f'http://127.0.0.1:{self._listener.getsockname()[1]}'
        self.endpoint = self.url + '/v2'
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def fake_server() -> Iterator[Callable[[Responder], FakeServer]]:
    servers: list[FakeServer] = []

    def start(respond: Responder) -> FakeServer:
        server = FakeServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A URL whose port refuses connections.

    The port is bound but not listening, so nothing else can take it
    while the test runs and every connection attempt is refused.
    """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        yield f'http://127.0.0.1:{sock.getsockname()[1]}'


def token_client(endpoint: str, **kwargs: Any) -> sidecar_client.Client:
    """A client that sends a made-up token to ``endpoint`` as is."""
    kwargs.setdefault('retry_delay', 0)
    return sidecar_client.Client(
        auth_token='fault-test-token', endpoint=endpoint, **kwargs
    )


@pytest.fixture
def sidecar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Run]:
    return inprocess.sidecar_runner(monkeypatch, capsys)


def token_argv(endpoint: str) -> list[str]:
    return ['--os-auth-token', 'fault-test-token', '--os-endpoint', endpoint]


# Connection refused


def test_refused_get_names_the_url(
    refused_url: str,
) -> None:
    sidecar = token_client(refused_url + '/v2', retries=2)
    with pytest.raises(exceptions.ConnectFailure) as caught:
        sidecar.events.detail('abc')
    assert f'{refused_url}/v2/evacuates/events/abc' in str(caught.value)


def test_refused_create_is_not_ambiguous(refused_url: str) -> None:
    # Nothing was sent, so there is nothing to look up: the plain
    # failure is raised.
    sidecar = token_client(refused_url + '/v2')
    with pytest.raises(exceptions.ConnectFailure) as caught:
        sidecar.events.create('host-1', 'node-1')
    assert not isinstance(caught.value, exceptions.AmbiguousCreate)


def test_refused_shell_says_connection_refused(
    refused_url: str, sidecar: Callable[..., Run]
) -> None:
    run = sidecar(*token_argv(refused_url + '/v2'),
                  'evacuates-event-detail', '--id', 'abc')
    assert run.code == 1
    assert run.stderr == (
        f'ERROR: Cannot show event abc: cannot connect to '
        f'{refused_url}/v2/evacuates/events/abc: Connection refused\n'
    )


# A server that never answers


@pytest.mark.parametrize('call', ['detail', 'list', 'versions'])
def test_silent_server_get_gives_up_after_the_timeout(
    silent_server: SilentServer, call: str
) -> None:
    sidecar = token_client(silent_server.endpoint, timeout=1, retries=2)
    started = time.monotonic()
    with pytest.raises(exceptions.RequestTimeout) as caught:
        if call == 'detail':
            sidecar.events.detail('abc')
        elif call == 'list':
            list(sidecar.events.list())
        else:
            sidecar.versions.list()
    elapsed = time.monotonic() - started

    url = {
        'detail': f'{silent_server.endpoint}/evacuates/events/abc',
        'list': f'{silent_server.endpoint}/evacuates/events',
        'versions': f'{silent_server.url}/',
    }[call]
    assert str(caught.value) == (
        f'Request to {url} timed out after 1 seconds'
    )
    assert caught.value.timeout == 1
    # A timeout is not retried: waiting again would double the wait the
    # caller asked for.
    assert len(silent_server.accepted) == 1
    assert elapsed < SLOW


def test_default_timeout_is_named_too(
    silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a timeout argument the session's default applies (300 s,
    # shortened here), and the message still says how long it was.
    monkeypatch.setattr('sidecarclient.common.auth.DEFAULT_TIMEOUT', 1.0)
    sidecar = sidecar_client.Client(
        auth_token='fault-test-token', endpoint=silent_server.endpoint
    )
    with pytest.raises(exceptions.RequestTimeout) as caught:
        sidecar.events.detail('abc')
    assert str(caught.value) == (
        f'Request to {silent_server.endpoint}/evacuates/events/abc timed '
        f'out after 1 seconds'
    )


def test_silent_server_shell_exits_1_naming_url_and_timeout(
    silent_server: SilentServer, sidecar: Callable[..., Run]
) -> None:
    run = sidecar(*token_argv(silent_server.endpoint), '--os-timeout', '1',
                  'evacuates-event-detail', '--id', 'abc')
    assert run.code == 1
    assert run.stderr == (
        f'ERROR: Cannot show event abc: Request to '
        f'{silent_server.endpoint}/evacuates/events/abc timed out after '
        f'1 seconds\n'
    )
    assert len(silent_server.accepted) == 1


# Error statuses


def test_500_with_html_body_gives_a_short_message(
    fake_server: Callable[[Responder], FakeServer],
    sidecar: Callable[..., Run],
) -> None:
    server = fake_server(
        lambda seen: (500, {'Content-Type': 'text/html'}, HTML_PAGE)
    )
    with pytest.raises(exceptions.InternalServerError) as caught:
        token_client(server.endpoint).events.detail('abc')
    assert caught.value.http_status == 500
    assert '<html' not in str(caught.value)
    # A 500 is the server's answer, not a passing failure: one request.
    assert server.count('GET') == 1

    run = sidecar(*token_argv(server.endpoint),
                  'evacuates-event-detail', '--id', 'abc')
    assert run.code == 1
    assert run.stderr == (
        'ERROR: Cannot show event abc: Internal Server Error (HTTP 500)\n'
    )
    assert run.stdout == ''


@pytest.mark.parametrize('status', [502, 503, 504])
def test_gateway_errors_on_get_are_retried_a_bounded_number_of_times(
    fake_server: Callable[[Responder], FakeServer], status: int
) -> None:
    server = fake_server(
        lambda seen: json_answer(status, {'error': {'message': 'busy'}})
    )
    with pytest.raises(exceptions.HttpError) as caught:
        token_client(server.endpoint, retries=3).events.detail('abc')
    assert caught.value.http_status == status
    assert server.count('GET') == 4


def test_gateway_error_retries_back_off(
    fake_server: Callable[[Responder], FakeServer],
) -> None:
    server = fake_server(lambda seen: (503, {}, b''))
    # keystoneauth's own delays: 0.5 s, then 1 s.
    sidecar = sidecar_client.Client(
        auth_token='fault-test-token', endpoint=server.endpoint, retries=2
    )
    started = time.monotonic()
    with pytest.raises(exceptions.ServiceUnavailable):
        sidecar.events.detail('abc')
    assert time.monotonic() - started >= 1.5
    assert server.count('GET') == 3


def test_a_retried_get_succeeds_when_the_server_recovers(
    fake_server: Callable[[Responder], FakeServer],
) -> None:
    info = event_info()
    answers = iter([(503, {}, b''), json_answer(200, {'event': info})])
    server = fake_server(lambda seen: next(answers))
    event = token_client(server.endpoint).events.detail(info['id'])
    assert event.id == info['id']
    assert server.count('GET') == 2


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE'])
def test_changes_are_never_retried(
    fake_server: Callable[[Responder], FakeServer], method: str
) -> None:
    server = fake_server(lambda seen: (503, {}, b''))
    sidecar = token_client(server.endpoint, retries=5)
    with pytest.raises(exceptions.ServiceUnavailable):
        if method == 'POST':
            sidecar.events.create('host-1', 'node-1')
        elif method == 'PUT':
            sidecar.events.edit('abc', event_status='running')
        else:
            sidecar.events.delete('abc')
    assert [seen.method for seen in server.seen] == [method]


# Successful statuses with a body the client cannot read


@pytest.mark.parametrize(
    'answer, what',
    [
        ((200, {'Content-Type': 'text/html'}, b'<html>hi</html>'), 'JSON'),
        ((200, dict(JSON_TYPE), b'{"event": '), 'JSON'),
        (json_answer(200, {'events': []}), "'event'"),
        (json_answer(200, ['event']), "'event'"),
        (json_answer(200, {'event': 'abc'}), "'event'"),
    ],
    ids=['html', 'truncated', 'wrong-key', 'array', 'not-an-object'],
)
def test_unreadable_2xx_is_an_unexpected_response(
    fake_server: Callable[[Responder], FakeServer],
    answer: Answer,
    what: str,
) -> None:
    server = fake_server(lambda seen: answer)
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        token_client(server.endpoint).events.detail('abc')
    text = str(caught.value)
    assert text.startswith(
        f'Unexpected response from the server for GET '
        f'{server.endpoint}/evacuates/events/abc (HTTP 200): '
    )
    assert what in text
    assert caught.value.http_status == 200


@pytest.mark.parametrize(
    'call', ['list', 'create', 'versions', 'find']
)
def test_every_call_refuses_a_body_without_its_key(
    fake_server: Callable[[Responder], FakeServer], call: str
) -> None:
    # A 404 for the id makes find look the name up in the list.
    server = fake_server(
        lambda seen: json_answer(404, {}) if seen.path.endswith('/abc')
        else json_answer(201 if seen.method == 'POST' else 200, {'x': 1})
    )
    sidecar = token_client(server.endpoint)
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        if call == 'list':
            list(sidecar.events.list())
        elif call == 'create':
            sidecar.events.create('host-1', 'node-1')
        elif call == 'versions':
            sidecar.versions.list()
        else:
            sidecar.events.find('abc')
    key = {'list': 'events', 'create': 'event', 'versions': 'versions',
           'find': 'events'}[call]
    assert f'has no {key!r} key' in str(caught.value)


def test_unreadable_2xx_in_the_shell_is_one_line(
    fake_server: Callable[[Responder], FakeServer],
    sidecar: Callable[..., Run],
) -> None:
    server = fake_server(
        lambda seen: (200, {'Content-Type': 'text/plain'}, b'OK')
    )
    run = sidecar(*token_argv(server.endpoint), 'evacuates-events-list')
    assert run.code == 1
    assert run.stderr.startswith(
        'ERROR: Cannot list events: Unexpected response from the server '
        f'for GET {server.endpoint}/evacuates/events (HTTP 200): '
    )
    assert run.stderr.count('\n') == 1
    assert 'Traceback' not in run.stderr


# A create whose answer is lost


def forward(upstream: str, seen: Seen) -> Answer:
    resp = requests.request(
        seen.method,
        upstream + seen.path,
        data=seen.body or None,
        headers={'Content-Type': 'application/json',
                 'Accept': 'application/json'},
        timeout=30,
    )
    headers = {'Content-Type': resp.headers.get('Content-Type', '')}
    return resp.status_code, headers, resp.content


def upstream_events(upstream: str, name: str) -> list[dict[str, Any]]:
    resp = requests.get(
        upstream + EVENTS_PATH, params={'name': name}, timeout=30
    )
    resp.raise_for_status()
    return resp.json()['events']


@pytest.mark.parametrize('reached', [True, False],
                         ids=['created', 'not-created'])
def test_ambiguous_create_reports_whether_the_event_exists(
    reference_server_factory: Callable[..., conftest.ReferenceServer],
    fake_server: Callable[[Responder], FakeServer],
    reached: bool,
) -> None:
    upstream = reference_server_factory().url

    def proxy(seen: Seen) -> Answer:
        if seen.method != 'POST':
            return forward(upstream, seen)
        if reached:
            forward(upstream, seen)
        return None

    server = fake_server(proxy)
    name = 'host-' + uuid.uuid4().hex[:8]
    with pytest.raises(exceptions.AmbiguousCreate) as caught:
        token_client(server.endpoint).events.create(name, 'node-1', ['vm'])

    found = upstream_events(upstream, name)
    assert server.count('POST') == 1
    assert isinstance(caught.value.cause, exceptions.ConnectFailure)
    if reached:
        assert [event['id'] for event in found] == [caught.value.event.id]
        assert caught.value.event.name == name
        assert str(caught.value).endswith(
            f'checked afterwards: the event exists on the server with id '
            f'{found[0]["id"]}'
        )
    else:
        assert found == []
        assert caught.value.event is None
        assert str(caught.value).endswith(
            'checked afterwards: no event of that name exists on the server'
        )


def test_ambiguous_create_in_the_shell(
    reference_server_factory: Callable[..., conftest.ReferenceServer],
    fake_server: Callable[[Responder], FakeServer],
    sidecar: Callable[..., Run],
) -> None:
    upstream = reference_server_factory().url

    def proxy(seen: Seen) -> Answer:
        answer = forward(upstream, seen)
        return None if seen.method == 'POST' else answer

    server = fake_server(proxy)
    run = sidecar(*token_argv(server.endpoint), 'evacuates-event-create',
                  '--name', 'host-42', '--node-uuid', 'node-42')
    [event] = upstream_events(upstream, 'host-42')
    assert run.code == 1
    assert run.stderr.startswith("ERROR: Cannot create event 'host-42': ")
    assert run.stderr.endswith(
        f'checked afterwards: the event exists on the server with id '
        f'{event["id"]}\n'
    )
    assert server.count('POST') == 1


# Keystone


def test_keystone_down_names_the_auth_url(
    refused_url: str, sidecar: Callable[..., Run]
) -> None:
    auth_url = refused_url + '/v3'
    sidecar_lib = sidecar_client.Client(
        auth_url=auth_url, auth_version=3, username='admin',
        password='secret', project_name='admin',
        user_domain_name='Default', project_domain_name='Default',
        retry_delay=0,
    )
    with pytest.raises(exceptions.ConnectFailure) as caught:
        sidecar_lib.events.detail('abc')
    assert str(caught.value) == (
        f'Unable to connect to {auth_url}/auth/tokens: Connection refused'
    )

    run = sidecar(
        '--os-auth-url', auth_url, '--os-username', 'admin',
        '--os-password', 'secret', '--os-project-name', 'admin',
        '--os-user-domain-name', 'Default',
        '--os-project-domain-name', 'Default',
        'evacuates-event-detail', '--id', 'abc',
    )
    assert run.code == 1
    assert run.stderr == (
        f'ERROR: Cannot show event abc: cannot connect to '
        f'{auth_url}/auth/tokens: Connection refused\n'
    )


@pytest.fixture
def uncached_auth_server(
    stack: conftest.Stack,
    reference_server_factory: Callable[..., conftest.ReferenceServer],
    tmp_path: Path,
) -> conftest.ReferenceServer:
    """A reference server that asks Keystone about every token.

    keystonemiddleware keeps a token it has validated for five minutes
    by default, so a revoked token would still be accepted; this server
    validates each request afresh, as one whose cache has expired does.
    """
    conf = tmp_path / 'authtoken.conf'
    conf.write_text(
        Path(stack.info['authtoken_conf']).read_text()
        + '\ntoken_cache_time = -1\n'
    )
    return reference_server_factory(noauth=False, auth_config=conf)


def test_revoked_token_is_replaced_once(
    stack: conftest.Stack, uncached_auth_server: conftest.ReferenceServer
) -> None:
    admin = stack.admin
    sidecar = sidecar_client.Client(
        auth_url=stack.auth_url, auth_version=3,
        username=admin.username, password=admin.password,
        project_name=admin.project_name,
        user_domain_name=admin.user_domain_name,
        project_domain_name=admin.project_domain_name,
        endpoint=uncached_auth_server.endpoint,
    )
    plugin = sidecar.session.auth
    token_requests = []
    get_auth_ref = plugin.get_auth_ref

    def counting(*args: Any, **kwargs: Any) -> Any:
        token_requests.append(1)
        return get_auth_ref(*args, **kwargs)

    plugin.get_auth_ref = counting

    name = 'host-' + uuid.uuid4().hex[:8]
    created = sidecar.events.create(name, 'node-1')
    old_token = sidecar.session.get_token()
    assert len(token_requests) == 1

    revoked = requests.delete(
        stack.auth_url + '/auth/tokens',
        headers={'X-Auth-Token': stack.token(),
                 'X-Subject-Token': old_token},
        timeout=30,
    )
    assert revoked.status_code == 204
    # The server now refuses the old token...
    refused = requests.get(
        uncached_auth_server.endpoint + '/evacuates/events',
        headers={'X-Auth-Token': old_token, 'Accept': 'application/json'},
        timeout=30,
    )
    assert refused.status_code == 401

    # ...and the client gets a new one, once, and carries on.
    assert sidecar.events.detail(created.id).name == name
    assert len(token_requests) == 2
    assert sidecar.session.get_token() != old_token
    assert [event.id for event in sidecar.events.list(name=name)] == [
        created.id
    ]
    assert len(token_requests) == 2


# openstack sidecar ...


@pytest.fixture
def openstack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[..., int]]:
    """Run the real OpenStackClient shell in this process.

    No OS_* variable and no clouds.yaml of the machine is seen; the root
    logger, which OpenStackClient configures, is put back afterwards.
    """
    from openstackclient import shell as osc_shell
    from osc_lib import clientmanager

    for name in list(os.environ):
        if name.startswith(('OS_', 'CLIFF_')):
            monkeypatch.delenv(name)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(tmp_path / 'none.yaml'))
    # OpenStackClient keeps the plugin's client on the class, for a
    # process that runs one command.
    cache = vars(clientmanager.ClientManager)['sidecar']
    root = logging.getLogger()
    saved = root.level, root.handlers[:]

    def run(*argv: str) -> int:
        cache._handle = None
        try:
            return osc_shell.OpenStackShell().run(list(argv))
        except SystemExit as exc:
            return int(exc.code or 0)

    yield run
    cache._handle = None
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]


def test_osc_gives_up_on_a_silent_server(
    silent_server: SilentServer,
    openstack: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # OpenStackClient sets no timeout on its session; the plugin gives
    # the library's default, shortened here to keep the test short.
    monkeypatch.setattr('sidecarclient.common.auth.DEFAULT_TIMEOUT', 1.0)
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(openstack(
            '--os-auth-type', 'admin_token', '--os-token', 'fault-token',
            '--os-endpoint', silent_server.endpoint,
            'sidecar', 'event', 'show', 'abc',
        )),
        daemon=True,
    )
    thread.start()
    thread.join(SLOW)
    assert not thread.is_alive(), f'still waiting after {SLOW} s'
    assert codes == [1]
    assert (
        f'Request to {silent_server.endpoint}/evacuates/events/abc timed '
        f'out after 1 seconds'
    ) in capsys.readouterr().err
