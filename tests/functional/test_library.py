"""The library against the real stack: Keystone and the reference server.

Every way of building ``client.Client`` is walked through the whole
life of an event; every call is checked once more on the wire (status
and body as the server sent them, recorded under the client) so that
these tests fail if the server answered any call with the wrong status
or shape; every error the server can answer with is checked for the
exception class and its message; paging is checked on a server of its
own, where the count of events is known.
"""

from __future__ import annotations

import datetime
import json
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3

from sidecarclient import client
from sidecarclient import exceptions
from sidecarclient.v2 import events as v2_events
from sidecarclient.v2 import versions as v2_versions
from tests.functional import support


@pytest.fixture(scope='module', autouse=True)
def _sweep(stack: Any) -> Iterator[None]:
    yield
    support.sweep(stack)


# -- Building the client ------------------------------------------------------


@pytest.fixture(scope='module')
def private_server(reference_server_factory: Any) -> Any:
    """An auth-enabled server that is not in the catalog.

    A client given its endpoint explicitly must use it: an event created
    through such a client shows up here and not on the stack's server.
    """
    return reference_server_factory(noauth=False)


def _by_password(stack: Any, server: Any) -> tuple[client.Client, str]:
    return support.password_client(stack), stack.sidecar_url


def _by_token_and_keystone(
    stack: Any, server: Any
) -> tuple[client.Client, str]:
    admin = stack.admin
    sidecar = client.Client(
        auth_token=stack.token('admin'),
        auth_url=stack.auth_url,
        auth_version='3',
        project_name=admin.project_name,
        project_domain_name=admin.project_domain_name,
        region_name=stack.region_name,
    )
    return sidecar, stack.sidecar_url


def _by_token_and_endpoint(
    stack: Any, server: Any
) -> tuple[client.Client, str]:
    # The token is sent as is: Keystone is only asked by the server.
    sidecar = client.Client(
        auth_token=stack.token('admin'), endpoint=server.endpoint
    )
    return sidecar, server.url


def _by_session(stack: Any, server: Any) -> tuple[client.Client, str]:
    admin = stack.admin
    auth = v3.Password(
        auth_url=stack.auth_url,
        username=admin.username,
        password=admin.password,
        project_name=admin.project_name,
        user_domain_name=admin.user_domain_name,
        project_domain_name=admin.project_domain_name,
    )
    sidecar = client.Client(
        session=ksa_session.Session(auth=auth),
        region_name=stack.region_name,
        endpoint_type='publicURL',
    )
    return sidecar, stack.sidecar_url


def _by_password_and_endpoint(
    stack: Any, server: Any
) -> tuple[client.Client, str]:
    sidecar = support.password_client(stack, endpoint=server.endpoint)
    return sidecar, server.url


CLIENT_BUILDERS: dict[str, Callable[..., tuple[client.Client, str]]] = {
    'password': _by_password,
    'token-and-keystone': _by_token_and_keystone,
    'token-and-endpoint': _by_token_and_endpoint,
    'session': _by_session,
    'password-and-endpoint': _by_password_and_endpoint,
}


def _server_events(stack: Any, url: str, node: str) -> list[str]:
    """Names of the node's events, asked of one server directly."""
    response = requests.get(
        url + '/v2/evacuates/events',
        params={'node_uuid': node},
        headers={'X-Auth-Token': stack.token('admin'),
                 'Accept': 'application/json'},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [event['name'] for event in response.json()['events']]


@pytest.mark.parametrize('how', sorted(CLIENT_BUILDERS))
def test_event_lifecycle(stack: Any, private_server: Any, how: str) -> None:
    sidecar, served_by = CLIENT_BUILDERS[how](stack, private_server)
    node = support.unique_node()
    name = support.unique_name('life')

    with sidecar:
        created = sidecar.events.create(name, node, ['vm-1', 'vm-2'])
        assert (created.name, created.node_uuid, created.event_status) == (
            name, node, 'created'
        )
        assert created.vm_uuid_list == ['vm-1', 'vm-2']

        listed = list(sidecar.events.list(node_uuid=node))
        assert listed == [created]

        shown = sidecar.events.detail(created.id)
        assert shown == created

        renamed = support.unique_name('life')
        assert sidecar.events.edit(
            created.id, name=renamed, event_status='running',
            vm_uuid_list=['vm-3'],
        ) is None
        shown = sidecar.events.detail(created.id)
        assert (shown.name, shown.event_status, shown.vm_uuid_list) == (
            renamed, 'running', ['vm-3']
        )
        assert shown.event_create_time == created.event_create_time
        assert shown.event_complete_time is None

        sidecar.events.edit(created.id, event_status='completed')
        shown = sidecar.events.detail(created.id)
        assert shown.event_status == 'completed'
        assert support.SERVER_TIME.fullmatch(shown.event_complete_time)

        # The event lived on the server this client was meant to use.
        assert _server_events(stack, served_by, node) == [renamed]

        assert sidecar.events.delete(created.id) is None
        with pytest.raises(exceptions.NotFound):
            sidecar.events.detail(created.id)
        assert list(sidecar.events.list(node_uuid=node)) == []


def test_explicit_endpoint_bypasses_the_catalog(
    stack: Any, private_server: Any
) -> None:
    # The catalog names the stack's server, not this one.
    sidecar = support.password_client(stack, endpoint=private_server.endpoint)
    wire = support.Wire(sidecar, private_server.url)
    node = support.unique_node()

    sidecar.events.create(support.unique_name(), node)

    assert [r.status_code for r in wire.responses] == [201]
    assert _server_events(stack, stack.sidecar_url, node) == []


# -- Each call on the wire ----------------------------------------------------


@pytest.fixture(scope='module')
def admin(stack: Any) -> Iterator[client.Client]:
    with support.password_client(stack) as sidecar:
        yield sidecar


@pytest.fixture
def wire(admin: client.Client, stack: Any) -> Iterator[support.Wire]:
    recorder = support.Wire(admin, stack.sidecar_url)
    yield recorder
    admin.session.session.hooks['response'].remove(recorder._record)


@pytest.fixture
def new_event(admin: client.Client) -> Iterator[v2_events.Event]:
    """A fresh event; deleted afterwards if the test left it."""
    event = admin.events.create(
        support.unique_name(), support.unique_node(), ['vm-a']
    )
    yield event
    try:
        admin.events.edit(event.id, event_status='completed')
        admin.events.delete(event.id)
    except exceptions.NotFound:
        pass


def test_create_on_the_wire(admin: client.Client,
                            wire: support.Wire) -> None:
    name, node = support.unique_name(), support.unique_node()

    event = admin.events.create(name, node, ['vm-1', 'vm-2'])

    assert wire.last.request.method == 'POST'
    assert wire.last.status_code == 201
    body = wire.last.json()
    assert set(body) == {'event'}
    support.assert_event_body(body['event'])
    assert isinstance(event, v2_events.Event)
    assert event.to_dict() == body['event']
    assert support.EVENT_ID.fullmatch(event.id)
    assert event.name == name
    assert event.node_uuid == node
    assert event.event_status == 'created'
    assert support.SERVER_TIME.fullmatch(event.event_create_time)
    assert event.event_complete_time is None
    assert event.vm_uuid_list == ['vm-1', 'vm-2']
    assert event.extra is None
    # Server local time, to the second.
    created = datetime.datetime.strptime(
        event.event_create_time, '%Y-%m-%d %H:%M:%S'
    )
    assert abs(datetime.datetime.now() - created) < datetime.timedelta(
        minutes=5
    )


def test_create_without_instances(admin: client.Client,
                                  wire: support.Wire) -> None:
    event = admin.events.create(support.unique_name(), 'node')

    sent = json.loads(wire.last.request.body)
    assert sent['event']['vm_uuid_list'] == []
    assert wire.last.status_code == 201
    assert event.vm_uuid_list == []


def test_detail_on_the_wire(admin: client.Client,
                            new_event: v2_events.Event,
                            wire: support.Wire) -> None:
    shown = admin.events.detail(new_event.id)

    assert wire.last.request.method == 'GET'
    assert wire.last.status_code == 200
    body = wire.last.json()
    assert set(body) == {'event'}
    support.assert_event_body(body['event'])
    assert shown == new_event
    assert support.SERVER_TIME.fullmatch(shown.event_create_time)


def test_list_on_the_wire_is_newest_first(admin: client.Client,
                                          wire: support.Wire) -> None:
    node = support.unique_node()
    created = [
        admin.events.create(support.unique_name(), node) for _ in range(3)
    ]

    listed = list(admin.events.list(node_uuid=node))

    assert [event.id for event in listed] == [
        event.id for event in reversed(created)
    ]
    assert listed == list(reversed(created))
    # One page, then an empty page after its last event: the end.
    pages = [r for r in wire.responses if r.request.method == 'GET']
    assert [r.status_code for r in pages] == [200, 200]
    bodies = [page.json() for page in pages]
    assert all(set(body) == {'events'} for body in bodies)
    assert [len(body['events']) for body in bodies] == [3, 0]
    for item in bodies[0]['events']:
        support.assert_event_body(item)
    times = [event.event_create_time for event in listed]
    assert times == sorted(times, reverse=True)


def test_list_filters(admin: client.Client) -> None:
    node = support.unique_node()
    first, second, third = (
        admin.events.create(support.unique_name(), node) for _ in range(3)
    )
    admin.events.edit(second.id, event_status='running')
    admin.events.edit(third.id, event_status='completed')

    def ids(**filters: Any) -> list[str]:
        return [e.id for e in admin.events.list(node_uuid=node, **filters)]

    assert ids(event_status='created') == [first.id]
    assert ids(event_status='running') == [second.id]
    assert ids(event_status='completed') == [third.id]
    assert ids(id=second.id) == [second.id]
    assert ids(name=first.name.upper()) == [first.id]
    assert ids(name=support.unique_name()) == []
    assert ids(event_create_time=first.event_create_time) == [
        e.id for e in (third, second, first)
        if e.event_create_time == first.event_create_time
    ]
    assert ids(min_event_create_time=first.event_create_time) == [
        third.id, second.id, first.id
    ]
    assert ids(max_event_create_time=first.event_create_time) == [
        e.id for e in (third, second, first)
        if e.event_create_time <= first.event_create_time
    ]
    later = datetime.datetime.strptime(
        third.event_create_time, '%Y-%m-%d %H:%M:%S'
    ) + datetime.timedelta(seconds=1)
    assert ids(min_event_create_time=later) == []


def test_status_filter_on_the_wire(admin: client.Client,
                                   wire: support.Wire) -> None:
    node = support.unique_node()
    waiting = admin.events.create(support.unique_name(), node)
    running = admin.events.create(support.unique_name(), node)
    admin.events.edit(running.id, event_status='running')
    wire.clear()

    found = admin.events.list(node_uuid=node, event_status='running')

    assert [event.id for event in found] == [running.id]
    # The library filters on the status as well, for servers that ignore
    # the filter; the reference server applies it itself.
    served = [
        item['id'] for response in wire.responses
        for item in response.json()['events']
    ]
    assert served == [running.id]
    assert waiting.id not in served


def test_edit_on_the_wire(admin: client.Client,
                          new_event: v2_events.Event,
                          wire: support.Wire) -> None:
    new_name = support.unique_name()

    result = admin.events.edit(
        new_event.id, name=new_name, node_uuid='node-b',
        vm_uuid_list=['vm-x', 'vm-y'], event_status='running',
    )

    assert result is None
    assert wire.last.request.method == 'PUT'
    assert wire.last.status_code == 204
    assert wire.last.content == b''
    shown = admin.events.detail(new_event.id)
    assert shown.to_dict() == dict(
        new_event.to_dict(),
        name=new_name,
        node_uuid='node-b',
        vm_uuid_list=['vm-x', 'vm-y'],
        event_status='running',
    )


def test_edit_clears_the_instances(admin: client.Client,
                                   new_event: v2_events.Event) -> None:
    admin.events.edit(new_event.id, vm_uuid_list=[])

    assert admin.events.detail(new_event.id).vm_uuid_list == []


def test_completing_stamps_the_completion_time(
    admin: client.Client, new_event: v2_events.Event
) -> None:
    admin.events.edit(new_event.id, event_status='running')
    assert admin.events.detail(new_event.id).event_complete_time is None

    admin.events.edit(new_event.id, event_status='completed')

    shown = admin.events.detail(new_event.id)
    assert shown.event_status == 'completed'
    assert support.SERVER_TIME.fullmatch(shown.event_complete_time)
    assert shown.event_complete_time >= shown.event_create_time
    listed = list(admin.events.list(id=new_event.id))
    assert listed[0].event_complete_time == shown.event_complete_time


def test_delete_on_the_wire(admin: client.Client,
                            new_event: v2_events.Event,
                            wire: support.Wire) -> None:
    admin.events.edit(new_event.id, event_status='completed')

    result = admin.events.delete(new_event.id)

    assert result is None
    assert wire.last.request.method == 'DELETE'
    assert wire.last.status_code == 204
    assert wire.last.content == b''
    with pytest.raises(exceptions.NotFound):
        admin.events.detail(new_event.id)
    assert list(admin.events.list(id=new_event.id)) == []


def test_versions_on_the_wire(admin: client.Client, stack: Any,
                              wire: support.Wire) -> None:
    versions = admin.versions.list()

    assert wire.last.url == stack.sidecar_url + '/'
    assert wire.last.status_code == 200
    assert wire.last.json() == {
        'versions': [{'v2': {'date': support.V2_DATE, 'status': 'current'}}]
    }
    assert versions == [
        v2_versions.Version(
            {'version': 'v2', 'date': support.V2_DATE, 'status': 'current'}
        )
    ]
    assert (versions[0].version, versions[0].status) == ('v2', 'current')


def test_find_by_name_and_id(admin: client.Client,
                             new_event: v2_events.Event) -> None:
    assert admin.events.find(new_event.id) == new_event
    assert admin.events.find(new_event.name.upper()) == new_event
    missing = support.unique_name()
    with pytest.raises(exceptions.NoSuchEvent, match=missing):
        admin.events.find(missing)


# -- Every error the server answers with -------------------------------------

UNKNOWN_ID = 'f' * 32


def _assert_http_error(
    excinfo: pytest.ExceptionInfo[Any], status: int, message: str
) -> None:
    exc = excinfo.value
    assert exc.http_status == status
    assert message in str(exc)
    assert f'(HTTP {status})' in str(exc)
    # The id the operator quotes to the service's admin.
    assert exc.request_id and exc.request_id.startswith('req-')
    assert exc.request_id in str(exc)


def test_duplicate_name_is_conflict(admin: client.Client,
                                    new_event: v2_events.Event) -> None:
    with pytest.raises(exceptions.Conflict) as excinfo:
        admin.events.create(new_event.name, 'node')

    _assert_http_error(
        excinfo, 409, f'There is already an event named {new_event.name}'
    )


def test_duplicate_name_in_other_case_is_conflict(
    admin: client.Client, new_event: v2_events.Event
) -> None:
    shouting = new_event.name.upper()

    with pytest.raises(exceptions.Conflict) as excinfo:
        admin.events.create(shouting, 'node')

    _assert_http_error(
        excinfo, 409, f'There is already an event named {shouting}'
    )


def test_rename_to_a_taken_name_is_conflict(
    admin: client.Client, new_event: v2_events.Event
) -> None:
    other = admin.events.create(support.unique_name(), 'node')
    taken = new_event.name.swapcase()

    with pytest.raises(exceptions.Conflict) as excinfo:
        admin.events.edit(other.id, name=taken)

    _assert_http_error(
        excinfo, 409, f'There is already an event named {taken}'
    )
    assert admin.events.detail(other.id).name == other.name
    # Renaming an event to its own name in another case is no conflict.
    admin.events.edit(new_event.id, name=new_event.name.upper())
    assert admin.events.detail(new_event.id).name == new_event.name.upper()


@pytest.mark.parametrize('status', ['created', 'running'])
def test_delete_before_completion_is_forbidden(
    admin: client.Client, new_event: v2_events.Event, status: str
) -> None:
    if status != 'created':
        admin.events.edit(new_event.id, event_status=status)

    with pytest.raises(exceptions.Forbidden) as excinfo:
        admin.events.delete(new_event.id)

    _assert_http_error(
        excinfo, 403,
        f'Event {new_event.id} is {status}: only a completed event can be '
        'deleted.',
    )
    assert admin.events.detail(new_event.id).event_status == status


@pytest.mark.parametrize(
    'call',
    [
        lambda events: events.detail(UNKNOWN_ID),
        lambda events: events.edit(UNKNOWN_ID, event_status='running'),
        lambda events: events.delete(UNKNOWN_ID),
    ],
    ids=['detail', 'edit', 'delete'],
)
def test_unknown_event_is_not_found(
    admin: client.Client, call: Callable[[Any], Any]
) -> None:
    with pytest.raises(exceptions.NotFound) as excinfo:
        call(admin.events)

    _assert_http_error(
        excinfo, 404, f'Event {UNKNOWN_ID} could not be found.'
    )


def test_unknown_path_is_not_found(admin: client.Client) -> None:
    # The server's HTML page for a path it does not know.
    with pytest.raises(exceptions.NotFound) as excinfo:
        admin.http.request('GET', 'evacuates/nothing')

    assert excinfo.value.http_status == 404
    assert excinfo.value.response.headers['Content-Type'].startswith(
        'text/html'
    )


def test_bad_token_is_unauthorized(stack: Any) -> None:
    sidecar = client.Client(
        auth_token='not-a-token', endpoint=stack.sidecar_endpoint
    )

    with pytest.raises(exceptions.Unauthorized) as excinfo:
        list(sidecar.events.list())

    _assert_http_error(
        excinfo, 401, 'The request you have made requires authentication.'
    )
    assert 'Keystone uri=' in excinfo.value.response.headers[
        'WWW-Authenticate'
    ]


def test_unknown_marker_is_bad_request(admin: client.Client) -> None:
    # Deployed servers start from the top instead; the reference server
    # says what is wrong.
    with pytest.raises(exceptions.BadRequest) as excinfo:
        list(admin.events.list(marker=UNKNOWN_ID))

    _assert_http_error(
        excinfo, 400, f'Marker {UNKNOWN_ID} could not be found.'
    )


# Bodies the library refuses before sending, sent raw to see the server
# refuse them too: (what, the library call, the raw body, the message).
INVALID_CREATES = [
    ('short name', {'name': 'ab'}, "Invalid name 'ab'"),
    ('long name', {'name': 'a' * 101}, 'must be 3 to 100 characters'),
    ('bad character', {'name': 'host.1'}, "Invalid name 'host.1'"),
    ('ends with hyphen', {'name': 'host-'}, "Invalid name 'host-'"),
    ('name not text', {'name': 42}, 'Invalid name 42'),
    ('node not text', {'node_uuid': 7}, 'Invalid node_uuid 7'),
    ('duplicate vms', {'vm_uuid_list': ['a', 'a']},
     'Invalid vm_uuid_list: duplicate id(s) a'),
    ('vms not a list', {'vm_uuid_list': 'a'}, 'must be an array of strings'),
]


@pytest.mark.parametrize(
    'fields, message',
    [case[1:] for case in INVALID_CREATES],
    ids=[case[0] for case in INVALID_CREATES],
)
def test_invalid_create_is_refused_by_both(
    admin: client.Client, wire: support.Wire, fields: dict[str, Any],
    message: str,
) -> None:
    event = {'name': support.unique_name(), 'node_uuid': 'node',
             'vm_uuid_list': []}
    event.update(fields)

    with pytest.raises(exceptions.ValidationError):
        admin.events.create(**event)
    assert wire.responses == []

    with pytest.raises(exceptions.BadRequest) as excinfo:
        admin.http.request('POST', 'evacuates/events', body={'event': event})
    _assert_http_error(excinfo, 400, message)


INVALID_EDITS = [
    ('status created', {'event_status': 'created'},
     "Invalid event_status 'created': an edit may only set running or "
     'completed'),
    ('status unknown', {'event_status': 'done'}, "Invalid event_status"),
    ('nothing', {}, 'Nothing to change'),
    ('bad name', {'name': '-x-'}, "Invalid name '-x-'"),
    ('duplicate vms', {'vm_uuid_list': ['a', 'b', 'a']},
     'duplicate id(s) a'),
]


@pytest.mark.parametrize(
    'changes, message',
    [case[1:] for case in INVALID_EDITS],
    ids=[case[0] for case in INVALID_EDITS],
)
def test_invalid_edit_is_refused_by_both(
    admin: client.Client, new_event: v2_events.Event, wire: support.Wire,
    changes: dict[str, Any], message: str,
) -> None:
    with pytest.raises(exceptions.ValidationError):
        admin.events.edit(new_event.id, **changes)
    assert wire.responses == []

    with pytest.raises(exceptions.BadRequest) as excinfo:
        admin.http.request(
            'PUT', f'evacuates/events/{new_event.id}',
            body={'event': changes},
        )
    _assert_http_error(excinfo, 400, message)
    # The error code of a validation failure arrives as a string.
    assert excinfo.value.response.json()['error']['code'] == '400'
    assert admin.events.detail(new_event.id) == new_event


def test_unknown_edit_field_is_bad_request(
    admin: client.Client, new_event: v2_events.Event
) -> None:
    # The library has no argument for it: only a raw request sends it.
    with pytest.raises(exceptions.BadRequest) as excinfo:
        admin.http.request(
            'PUT', f'evacuates/events/{new_event.id}',
            body={'event': {'extra': {'a': 1}}},
        )

    _assert_http_error(excinfo, 400, 'cannot be edited: extra')


@pytest.mark.parametrize(
    'body, message',
    [
        ({'name': 'x'}, 'The body must be a JSON object with an "event"'),
        ({'event': []}, '"event" must be a JSON object'),
        ({'event': {'name': 'abc'}},
         'Missing required field(s) in event: node_uuid, vm_uuid_list'),
    ],
    ids=['no event', 'event not an object', 'missing fields'],
)
def test_malformed_create_body_is_bad_request(
    admin: client.Client, body: Any, message: str
) -> None:
    with pytest.raises(exceptions.BadRequest) as excinfo:
        admin.http.request('POST', 'evacuates/events', body=body)

    _assert_http_error(excinfo, 400, message)


def test_create_without_json_content_type_is_bad_request(
    admin: client.Client,
) -> None:
    with pytest.raises(exceptions.BadRequest) as excinfo:
        admin.http.adapter.request(
            'evacuates/events', 'POST',
            data='{"event": {}}',
            headers={'Content-Type': 'text/plain',
                     'Accept': 'application/json'},
        )

    _assert_http_error(
        excinfo, 400,
        'The request body must be sent with Content-Type application/json, '
        'not text/plain',
    )


@pytest.mark.parametrize(
    'query, message',
    [
        ('limit=0', "Invalid limit '0': it must be a positive integer"),
        ('limit=x', "Invalid limit 'x'"),
        ('min_event_create_time=yesterday',
         "Invalid min_event_create_time 'yesterday'"),
        ('name=a&name=b', 'Query parameter name was given 2 times'),
    ],
)
def test_invalid_list_query_is_bad_request(
    admin: client.Client, query: str, message: str
) -> None:
    with pytest.raises(exceptions.BadRequest) as excinfo:
        admin.http.request('GET', 'evacuates/events?' + query)

    _assert_http_error(excinfo, 400, message)


def test_library_refuses_a_bad_limit_first(
    admin: client.Client, wire: support.Wire
) -> None:
    for value in (0, -1, 'x', True):
        with pytest.raises(exceptions.ValidationError, match='limit'):
            list(admin.events.list(limit=value))
    with pytest.raises(exceptions.ValidationError, match='not a valid time'):
        list(admin.events.list(min_event_create_time='yesterday'))

    assert wire.responses == []


def test_wrong_method_is_not_allowed(admin: client.Client) -> None:
    with pytest.raises(ksa_exceptions.MethodNotAllowed) as excinfo:
        admin.http.request('DELETE', 'evacuates/events')

    _assert_http_error(
        excinfo, 405,
        'The method DELETE is not allowed on /v2/evacuates/events',
    )


def test_html_only_accept_is_not_acceptable(admin: client.Client) -> None:
    with pytest.raises(ksa_exceptions.NotAcceptable) as excinfo:
        admin.http.adapter.request(
            'evacuates/events', 'GET', headers={'Accept': 'text/html'}
        )

    _assert_http_error(
        excinfo, 406, 'This service only answers in application/json'
    )


# -- Paging over more than one page ------------------------------------------

PAGED_EVENTS = 65


@pytest.fixture(scope='module')
def paged(reference_server_factory: Any) -> tuple[client.Client, list[str]]:
    """A server of its own holding exactly 65 events (support.fill).

    Returns a client of it and the event ids newest first.
    """
    server = reference_server_factory(noauth=True)
    newest_first = support.fill(server.endpoint, PAGED_EVENTS)
    sidecar = client.Client(auth_token='unused', endpoint=server.endpoint)
    return sidecar, newest_first


@pytest.fixture
def paged_wire(
    paged: tuple[client.Client, list[str]],
) -> Iterator[support.Wire]:
    sidecar = paged[0]
    recorder = support.Wire(sidecar, sidecar.http.endpoint())
    yield recorder
    sidecar.session.session.hooks['response'].remove(recorder._record)


def _queries(wire: support.Wire) -> list[dict[str, list[str]]]:
    return [
        urllib.parse.parse_qs(urllib.parse.urlsplit(r.url).query)
        for r in wire.responses
    ]


@pytest.mark.parametrize('page_size', [None, 7, 30, 64, 65, 100])
def test_every_event_once_newest_first(
    paged: tuple[client.Client, list[str]], paged_wire: support.Wire,
    page_size: int | None,
) -> None:
    sidecar, newest_first = paged

    listed = [e.id for e in sidecar.events.list(page_size=page_size)]

    assert listed == newest_first
    queries = _queries(paged_wire)
    # Every filter once: deployed servers fail on a repeated parameter.
    assert all(len(values) == 1 for q in queries for values in q.values())
    expected_pages = -(-PAGED_EVENTS // (page_size or 30))
    # A correct server may answer the second request with more than a
    # page; then the walk ends early. Never more than one empty page.
    assert 2 <= len(queries) <= expected_pages + 1
    assert all(r.status_code == 200 for r in paged_wire.responses)


def test_default_page_is_thirty(
    paged: tuple[client.Client, list[str]], paged_wire: support.Wire
) -> None:
    sidecar, newest_first = paged

    list(sidecar.events.list())

    first = paged_wire.responses[0]
    assert 'limit' not in _queries(paged_wire)[0]
    assert [e['id'] for e in first.json()['events']] == newest_first[:30]


@pytest.mark.parametrize(
    'limit, page_size',
    [(1, None), (29, None), (30, None), (31, None), (45, None),
     (45, 10), (65, 7), (66, None), (1000, 9)],
)
def test_limit_stops_the_listing(
    paged: tuple[client.Client, list[str]], limit: int,
    page_size: int | None,
) -> None:
    sidecar, newest_first = paged

    found = sidecar.events.list(limit=limit, page_size=page_size)

    assert [e.id for e in found] == newest_first[:limit]


@pytest.mark.parametrize(
    'start, limit, page_size',
    [(0, None, None), (9, None, None), (9, 5, None), (9, None, 4),
     (40, 30, None), (63, None, None)],
)
def test_marker_starts_after_the_event(
    paged: tuple[client.Client, list[str]], start: int,
    limit: int | None, page_size: int | None,
) -> None:
    sidecar, newest_first = paged
    rest = newest_first[start + 1:]

    found = sidecar.events.list(
        marker=newest_first[start], limit=limit, page_size=page_size
    )

    assert [e.id for e in found] == rest[:limit]


def test_marker_of_the_oldest_event_gives_nothing(
    paged: tuple[client.Client, list[str]],
) -> None:
    sidecar, newest_first = paged

    assert list(sidecar.events.list(marker=newest_first[-1])) == []


def test_len_and_replay(paged: tuple[client.Client, list[str]],
                        paged_wire: support.Wire) -> None:
    sidecar, newest_first = paged
    found = sidecar.events.list(page_size=20)

    assert len(found) == PAGED_EVENTS
    requests_made = len(paged_wire.responses)
    assert [e.id for e in found] == newest_first
    assert [e.id for e in found] == newest_first
    assert len(paged_wire.responses) == requests_made


def test_filter_across_pages(paged: tuple[client.Client, list[str]]) -> None:
    sidecar, newest_first = paged

    found = [
        e.id for e in sidecar.events.list(node_uuid='node-1', page_size=4)
    ]

    # Event number n is on node n % 3; ids are newest (number 64) first.
    numbers = range(PAGED_EVENTS - 1, -1, -1)
    pairs = zip(numbers, newest_first, strict=True)
    assert found == [
        event_id for number, event_id in pairs if number % 3 == 1
    ]
