"""The reference Sidecar server itself, over plain HTTP.

The client's functional tests are only as good as this server, so every
call is checked here against the contract in sidecar-api-v2.md: status,
headers and the exact body shape. Most tests run on a throwaway no-auth
server with an empty database; the auth tests use the stack's server
behind keystonemiddleware and real Keystone tokens.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

EVENT_KEYS = {
    'id',
    'name',
    'event_status',
    'node_uuid',
    'event_create_time',
    'event_complete_time',
    'vm_uuid_list',
    'extra',
}
V2 = {'date': '2016-08-07T00:00:00', 'status': 'current'}
EVENT_ID = re.compile(r'[0-9a-f]{32}')
TIME = re.compile(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d')
REQUEST_ID = re.compile(
    r'req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
)
JSON = {'Content-Type': 'application/json', 'Accept': 'application/json'}


class Api:
    """Plain requests against one server, with an optional token."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers['Accept'] = 'application/json'
        if token is not None:
            self.session.headers['X-Auth-Token'] = token

    def request(
        self, method: str, path: str, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault('timeout', 30)
        kwargs.setdefault('allow_redirects', False)
        return self.session.request(method, self.url + path, **kwargs)

    def list_events(self, **params: Any) -> requests.Response:
        return self.request('GET', '/v2/evacuates/events', params=params)

    def show(self, event_id: str) -> requests.Response:
        return self.request('GET', f'/v2/evacuates/events/{event_id}')

    def create(self, **event: Any) -> requests.Response:
        return self.request(
            'POST', '/v2/evacuates/events', json={'event': event}
        )

    def edit(self, event_id: str, **event: Any) -> requests.Response:
        return self.request(
            'PUT', f'/v2/evacuates/events/{event_id}', json={'event': event}
        )

    def delete(self, event_id: str) -> requests.Response:
        return self.request('DELETE', f'/v2/evacuates/events/{event_id}')

    def new_event(self, **event: Any) -> dict[str, Any]:
        """Create an event with unique defaults; return its body."""
        event.setdefault('name', unique_name())
        event.setdefault('node_uuid', str(uuid.uuid4()))
        event.setdefault('vm_uuid_list', [str(uuid.uuid4())])
        response = self.create(**event)
        assert response.status_code == 201, response.text
        return response.json()['event']

    def events(self, **params: Any) -> list[dict[str, Any]]:
        response = self.list_events(**params)
        assert response.status_code == 200, response.text
        return response.json()['events']


def unique_name(prefix: str = 'host') -> str:
    return f'{prefix}-{uuid.uuid4().hex[:12]}'


def assert_error(
    response: requests.Response, status: int, message: str = ''
) -> dict[str, Any]:
    """Check the API's error body; return its ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers['Content-Type'].startswith('application/json')
    body = response.json()
    assert set(body) == {'error'}
    error = body['error']
    assert set(error) == {'code', 'title', 'message'}
    assert str(error['code']) == str(status)
    assert (
        error['title']
        == {
            400: 'Bad Request',
            401: 'Unauthorized',
            403: 'Forbidden',
            404: 'Not Found',
            405: 'Method Not Allowed',
            406: 'Not Acceptable',
            409: 'Conflict',
        }[status]
    )
    assert message in error['message']
    return error


def assert_event_shape(event: dict[str, Any]) -> None:
    assert set(event) == EVENT_KEYS
    assert EVENT_ID.fullmatch(event['id'])
    assert event['event_status'] in ('created', 'running', 'completed')
    assert TIME.fullmatch(event['event_create_time'])
    if event['event_status'] == 'completed':
        assert TIME.fullmatch(event['event_complete_time'])
    else:
        assert event['event_complete_time'] is None


def assert_no_content(response: requests.Response) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b''


@pytest.fixture(scope='module')
def server(reference_server_factory: Any) -> Any:
    return reference_server_factory(noauth=True)


@pytest.fixture
def api(server: Any) -> Api:
    return Api(server.url)


@pytest.fixture
def node() -> str:
    """A node of the test's own: filtering on it isolates its events."""
    return f'node-{uuid.uuid4()}'


# -- Versions and paths ------------------------------------------------------


def test_root_lists_the_versions(api: Api) -> None:
    response = api.request('GET', '/')

    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json() == {'versions': [{'v2': V2}]}


def test_v2_root_shows_the_version(api: Api) -> None:
    response = api.request('GET', '/v2/')

    assert response.status_code == 200
    assert response.json() == {'v2': V2}


def test_v2_without_slash_redirects(api: Api) -> None:
    response = api.request('GET', '/v2')

    assert response.status_code == 302
    assert response.headers['Location'] == api.url + '/v2/'


@pytest.mark.parametrize(
    'path',
    [
        '/v3/',
        '/v2/evacuates',
        '/v2/evacuates/events/',
        '/v2/evacuates/events/abc/extra',
        '/v2/evacuates/events/a%2Fb',
    ],
)
def test_unknown_paths_are_404_html(api: Api, path: str) -> None:
    response = api.request('GET', path)

    assert response.status_code == 404
    assert response.headers['Content-Type'].startswith('text/html')
    assert '<html>' in response.text


def test_html_only_accept_is_406(api: Api) -> None:
    response = api.request(
        'GET', '/v2/evacuates/events', headers={'Accept': 'text/html'}
    )

    assert_error(response, 406)


def test_wrong_method_is_405(api: Api) -> None:
    response = api.request('PATCH', '/v2/evacuates/events')

    assert_error(response, 405)
    assert response.headers['Allow'] == 'GET, POST'


@pytest.mark.parametrize(
    ('method', 'path'),
    [
        ('GET', '/'),
        ('GET', '/v2'),
        ('GET', '/v2/'),
        ('GET', '/nowhere'),
        ('GET', '/v2/evacuates/events'),
        ('GET', '/v2/evacuates/events/' + 'f' * 32),
        ('DELETE', '/v2/evacuates/events/' + 'f' * 32),
        ('POST', '/v2/evacuates/events'),
    ],
)
def test_every_response_has_a_request_id(
    api: Api, method: str, path: str
) -> None:
    response = api.request(method, path, data='not json')

    assert REQUEST_ID.fullmatch(response.headers['x-openstack-request-id'])


def test_request_ids_differ(api: Api) -> None:
    first = api.request('GET', '/').headers['x-openstack-request-id']
    second = api.request('GET', '/').headers['x-openstack-request-id']

    assert first != second


# -- Create ------------------------------------------------------------------


def test_create_returns_the_new_event(api: Api) -> None:
    vms = [str(uuid.uuid4()), str(uuid.uuid4())]

    response = api.create(name='host-1a', node_uuid='node-1', vm_uuid_list=vms)

    assert response.status_code == 201, response.text
    assert response.headers['Content-Type'] == 'application/json'
    assert set(response.json()) == {'event'}
    event = response.json()['event']
    assert_event_shape(event)
    assert event['name'] == 'host-1a'
    assert event['node_uuid'] == 'node-1'
    assert event['vm_uuid_list'] == vms
    assert event['event_status'] == 'created'
    assert event['event_complete_time'] is None
    assert event['extra'] is None


def test_create_accepts_an_empty_vm_list(api: Api) -> None:
    assert api.new_event(vm_uuid_list=[])['vm_uuid_list'] == []


def test_create_ignores_unknown_keys(api: Api) -> None:
    response = api.request(
        'POST',
        '/v2/evacuates/events',
        json={
            'event': {
                'name': unique_name(),
                'node_uuid': 'n',
                'vm_uuid_list': [],
                'extra': {'set': 'by the client'},
                'event_status': 'completed',
            },
            'something': 'else',
        },
    )

    assert response.status_code == 201, response.text
    event = response.json()['event']
    assert event['extra'] is None
    assert event['event_status'] == 'created'


@pytest.mark.parametrize(
    'name',
    [
        'abc',
        'A1b',
        'host_1 with-space',
        'x' * 100,
        '1-2',
        'h\u00e9llo-1',
    ],
)
def test_valid_names(api: Api, name: str) -> None:
    # The module's server starts empty and no other test uses these.
    response = api.create(name=name, node_uuid='n', vm_uuid_list=[])

    assert response.status_code == 201, response.text
    assert response.json()['event']['name'] == name


@pytest.mark.parametrize(
    'name',
    [
        'ab',
        'x' * 101,
        '-abc',
        'abc-',
        '_abc',
        'ab$c',
        'ab.c',
        ' abc',
        'abc ',
        '\u00e9abc',
        '',
        123,
        None,
    ],
)
def test_invalid_names_are_400(api: Api, name: Any) -> None:
    response = api.create(name=name, node_uuid='n', vm_uuid_list=[])

    error = assert_error(response, 400, 'name')
    # Body validation errors carry the code as a string.
    assert error['code'] == '400'


def test_names_are_unique_without_regard_to_case(api: Api) -> None:
    name = unique_name('Host')
    api.new_event(name=name)

    response = api.create(name=name.lower(), node_uuid='n', vm_uuid_list=[])

    error = assert_error(response, 409)
    assert (
        error['message'] == f'There is already an event named {name.lower()}'
    )
    assert error['code'] == 409


def test_duplicate_vm_ids_are_400(api: Api) -> None:
    response = api.create(
        name=unique_name(), node_uuid='n', vm_uuid_list=['a', 'b', 'a']
    )

    assert_error(response, 400, 'duplicate')


@pytest.mark.parametrize(
    'vm_uuid_list', [None, 'a', [1, 2], {'a': 1}, [['a']]]
)
def test_vm_list_must_be_strings(api: Api, vm_uuid_list: Any) -> None:
    response = api.create(
        name=unique_name(), node_uuid='n', vm_uuid_list=vm_uuid_list
    )

    assert_error(response, 400, 'vm_uuid_list')


def test_node_must_be_a_string(api: Api) -> None:
    response = api.create(name=unique_name(), node_uuid=7, vm_uuid_list=[])

    assert_error(response, 400, 'node_uuid')


@pytest.mark.parametrize('missing', ['name', 'node_uuid', 'vm_uuid_list'])
def test_create_requires_all_three_keys(api: Api, missing: str) -> None:
    event = {'name': unique_name(), 'node_uuid': 'n', 'vm_uuid_list': []}
    del event[missing]

    response = api.create(**event)

    assert_error(response, 400, missing)


@pytest.mark.parametrize(
    'content_type', [None, 'text/plain', 'application/x-www-form-urlencoded']
)
def test_create_requires_json_content_type(
    api: Api, content_type: str | None
) -> None:
    headers = {} if content_type is None else {'Content-Type': content_type}
    body = (
        '{"event": {"name": "abc-json", "node_uuid": "n", "vm_uuid_list": []}}'
    )

    response = api.request(
        'POST', '/v2/evacuates/events', data=body, headers=headers
    )

    assert_error(response, 400, 'application/json')


def test_json_content_type_may_carry_a_charset(api: Api) -> None:
    response = api.request(
        'POST',
        '/v2/evacuates/events',
        data=json.dumps(
            {
                'event': {
                    'name': unique_name(),
                    'node_uuid': 'n',
                    'vm_uuid_list': [],
                }
            }
        ),
        headers={'Content-Type': 'application/json; charset=UTF-8'},
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    'body', ['not json', '[]', '{}', '{"events": {}}', '{"event": []}']
)
def test_create_body_must_hold_an_event_object(api: Api, body: str) -> None:
    response = api.request(
        'POST', '/v2/evacuates/events', data=body, headers=JSON
    )

    assert_error(response, 400)


# -- Show --------------------------------------------------------------------


def test_show_returns_the_event(api: Api) -> None:
    created = api.new_event()

    response = api.show(created['id'])

    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json() == {'event': created}


@pytest.mark.parametrize('event_id', ['f' * 32, 'not-an-id'])
def test_show_unknown_is_404(api: Api, event_id: str) -> None:
    error = assert_error(api.show(event_id), 404, event_id)

    assert error['code'] == 404


# -- Edit --------------------------------------------------------------------


def test_edit_changes_fields(api: Api) -> None:
    event = api.new_event()
    new_name = unique_name('renamed')

    response = api.edit(
        event['id'], name=new_name, node_uuid='node-2', vm_uuid_list=['x']
    )

    assert_no_content(response)
    shown = api.show(event['id']).json()['event']
    assert shown == dict(
        event, name=new_name, node_uuid='node-2', vm_uuid_list=['x']
    )


def test_edit_to_own_name_in_another_case(api: Api) -> None:
    event = api.new_event(name=unique_name('lower'))

    assert_no_content(api.edit(event['id'], name=event['name'].upper()))
    assert api.show(event['id']).json()['event']['name'] == (
        event['name'].upper()
    )


def test_status_walk_stamps_completion(api: Api) -> None:
    event = api.new_event()

    assert_no_content(api.edit(event['id'], event_status='running'))
    running = api.show(event['id']).json()['event']
    assert running['event_status'] == 'running'
    assert running['event_complete_time'] is None

    assert_no_content(api.edit(event['id'], event_status='completed'))
    completed = api.show(event['id']).json()['event']
    assert completed['event_status'] == 'completed'
    assert TIME.fullmatch(completed['event_complete_time'])
    assert completed['event_complete_time'] >= completed['event_create_time']
    assert_event_shape(completed)


@pytest.mark.parametrize('status', ['created', 'done', '', None])
def test_edit_refuses_other_statuses(api: Api, status: Any) -> None:
    event = api.new_event()

    assert_error(api.edit(event['id'], event_status=status), 400, 'status')


def test_edit_with_nothing_to_change_is_400(api: Api) -> None:
    # Deployed servers answer 500 here; this one is correct.
    event = api.new_event()

    assert_error(api.edit(event['id']), 400, 'Nothing to change')


@pytest.mark.parametrize('field', ['extra', 'id', 'event_complete_time'])
def test_edit_of_other_fields_is_400(api: Api, field: str) -> None:
    event = api.new_event()

    assert_error(api.edit(event['id'], **{field: 'x'}), 400, field)


def test_edit_validates_like_create(api: Api) -> None:
    event = api.new_event()

    assert_error(api.edit(event['id'], name='a!'), 400, 'name')
    assert_error(api.edit(event['id'], vm_uuid_list=['a', 'a']), 400)


def test_edit_to_a_taken_name_is_409(api: Api) -> None:
    taken = api.new_event()
    event = api.new_event()

    response = api.edit(event['id'], name=taken['name'].upper())

    assert_error(response, 409, 'There is already an event named')


def test_edit_unknown_is_404(api: Api) -> None:
    assert_error(api.edit('f' * 32, event_status='running'), 404)


def test_edit_requires_json_content_type(api: Api) -> None:
    event = api.new_event()

    response = api.request(
        'PUT',
        f'/v2/evacuates/events/{event["id"]}',
        data='{"event": {"event_status": "running"}}',
        headers={'Content-Type': 'text/plain'},
    )

    assert_error(response, 400, 'application/json')


def test_edit_body_must_hold_an_event(api: Api) -> None:
    event = api.new_event()

    response = api.request(
        'PUT',
        f'/v2/evacuates/events/{event["id"]}',
        json={'event_status': 'running'},
    )

    assert_error(response, 400, 'event')


# -- Delete ------------------------------------------------------------------


@pytest.mark.parametrize('status', [None, 'running'])
def test_delete_refuses_unfinished_events(api: Api, status: Any) -> None:
    event = api.new_event()
    if status:
        api.edit(event['id'], event_status=status)

    assert_error(api.delete(event['id']), 403, 'completed')
    assert api.show(event['id']).status_code == 200


def test_delete_completed_event(api: Api) -> None:
    event = api.new_event()
    api.edit(event['id'], event_status='completed')

    assert_no_content(api.delete(event['id']))
    assert_error(api.show(event['id']), 404)
    assert_error(api.delete(event['id']), 404)


# -- List --------------------------------------------------------------------


def test_list_shape_matches_show(api: Api, node: str) -> None:
    event = api.new_event(node_uuid=node)

    response = api.list_events(node_uuid=node)

    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json() == {'events': [event]}


def test_list_is_newest_first(api: Api, node: str) -> None:
    created = [api.new_event(node_uuid=node)['id'] for _ in range(6)]

    listed = [e['id'] for e in api.events(node_uuid=node)]

    # Created within the same second or not, the last one comes first.
    assert listed == created[::-1]


@pytest.fixture(scope='module')
def many(server: Any) -> tuple[str, list[str]]:
    """35 events on one node; their ids newest first."""
    api = Api(server.url)
    node = f'node-many-{uuid.uuid4()}'
    ids = [api.new_event(node_uuid=node)['id'] for _ in range(35)]
    return node, ids[::-1]


def test_default_page_is_30(api: Api, many: tuple[str, list[str]]) -> None:
    node, ids = many

    assert [e['id'] for e in api.events(node_uuid=node)] == ids[:30]


def test_limit_caps_the_page(api: Api, many: tuple[str, list[str]]) -> None:
    node, ids = many

    assert [e['id'] for e in api.events(node_uuid=node, limit=4)] == ids[:4]
    assert [e['id'] for e in api.events(node_uuid=node, limit=100)] == ids


@pytest.mark.parametrize('position', [0, 9, 30, 33])
def test_page_starts_after_the_marker(
    api: Api, many: tuple[str, list[str]], position: int
) -> None:
    node, ids = many

    page = api.events(node_uuid=node, marker=ids[position], limit=5)

    start = position + 1
    assert [e['id'] for e in page] == ids[start:][:5]


def test_paging_walks_every_event_once(
    api: Api, many: tuple[str, list[str]]
) -> None:
    node, ids = many
    seen: list[str] = []
    marker = None

    for _ in range(10):
        params: dict[str, Any] = {'node_uuid': node, 'limit': 8}
        if marker:
            params['marker'] = marker
        page = [e['id'] for e in api.events(**params)]
        if not page:
            break
        assert len(page) <= 8
        seen += page
        marker = page[-1]

    assert seen == ids


def test_marker_after_the_last_event_gives_an_empty_page(
    api: Api, many: tuple[str, list[str]]
) -> None:
    node, ids = many

    assert api.events(node_uuid=node, marker=ids[-1]) == []


def test_unknown_marker_is_400(api: Api) -> None:
    assert_error(api.list_events(marker='f' * 32), 400, 'Marker')


@pytest.mark.parametrize('limit', ['0', '-1', 'x', '1.5', ' 2', ''])
def test_invalid_limit_is_400(api: Api, limit: str) -> None:
    assert_error(api.list_events(limit=limit), 400, 'limit')


def test_parameter_given_twice_is_400(api: Api) -> None:
    # Deployed servers answer 500 here; this one is correct.
    response = api.request('GET', '/v2/evacuates/events?name=abc&name=abd')

    assert_error(response, 400, 'name')


def test_unknown_parameters_are_ignored(api: Api, node: str) -> None:
    event = api.new_event(node_uuid=node)

    assert api.events(node_uuid=node, colour='blue') == [event]


def test_filter_by_name_ignores_case(api: Api) -> None:
    event = api.new_event(name=unique_name('MixedCase'))

    assert api.events(name=event['name'].lower()) == [event]
    assert api.events(name=event['name'].upper()) == [event]


def test_filter_by_id(api: Api) -> None:
    event = api.new_event()
    api.new_event()

    assert api.events(id=event['id']) == [event]
    assert api.events(id='f' * 32) == []


def test_filter_by_status(api: Api, node: str) -> None:
    created = api.new_event(node_uuid=node)
    running = api.new_event(node_uuid=node)
    api.edit(running['id'], event_status='running')

    assert [
        e['id'] for e in api.events(node_uuid=node, event_status='running')
    ] == [running['id']]
    assert [
        e['id'] for e in api.events(node_uuid=node, event_status='created')
    ] == [created['id']]
    assert api.events(node_uuid=node, event_status='completed') == []


def test_filter_by_create_time(api: Api, node: str) -> None:
    event = api.new_event(node_uuid=node)
    when = event['event_create_time']

    assert api.events(node_uuid=node, event_create_time=when) == [event]
    # Both bounds are inclusive.
    assert api.events(
        node_uuid=node,
        min_event_create_time=when,
        max_event_create_time=when,
    ) == [event]
    assert (
        api.events(node_uuid=node, max_event_create_time='2000-01-01 00:00:00')
        == []
    )
    assert (
        api.events(node_uuid=node, min_event_create_time='2999-01-01 00:00:00')
        == []
    )


@pytest.mark.parametrize(
    'key',
    ['event_create_time', 'min_event_create_time', 'max_event_create_time'],
)
def test_invalid_time_filter_is_400(api: Api, key: str) -> None:
    assert_error(api.list_events(**{key: '2026-12-03T10:00:00'}), 400, key)


def test_completed_events_list_their_completion(api: Api, node: str) -> None:
    event = api.new_event(node_uuid=node)
    api.edit(event['id'], event_status='completed')

    [listed] = api.events(node_uuid=node)

    assert listed == api.show(event['id']).json()['event']
    assert_event_shape(listed)


# -- Storage -----------------------------------------------------------------


def test_events_survive_a_restart(reference_server_factory: Any) -> None:
    server = reference_server_factory(noauth=True)
    api = Api(server.url)
    event = api.new_event()

    server.stop()
    server.start()

    assert api.show(event['id']).json() == {'event': event}


# -- Auth --------------------------------------------------------------------


@pytest.fixture(scope='module')
def admin_api(stack: Any) -> Api:
    return Api(stack.sidecar_url, token=stack.token('admin'))


@pytest.fixture(scope='module')
def demo_api(stack: Any) -> Api:
    return Api(stack.sidecar_url, token=stack.token('demo'))


@pytest.fixture
def admin_event(admin_api: Api) -> Iterator[dict[str, Any]]:
    event = admin_api.new_event()
    yield event
    admin_api.edit(event['id'], event_status='completed')
    admin_api.delete(event['id'])


def test_versions_need_no_token(stack: Any) -> None:
    api = Api(stack.sidecar_url)

    assert api.request('GET', '/').json() == {'versions': [{'v2': V2}]}
    assert api.request('GET', '/v2/').json() == {'v2': V2}
    assert api.request('GET', '/v2').status_code == 302


@pytest.mark.parametrize('token', [None, 'not-a-token'])
def test_events_need_a_valid_token(stack: Any, token: str | None) -> None:
    response = Api(stack.sidecar_url, token=token).list_events()

    error = assert_error(response, 401)
    assert error['message'] == (
        'The request you have made requires authentication.'
    )
    assert response.headers['WWW-Authenticate'] == (
        f'Keystone uri="{stack.auth_url}"'
    )
    assert REQUEST_ID.fullmatch(response.headers['x-openstack-request-id'])


def test_admin_walks_an_event_through(admin_api: Api) -> None:
    event = admin_api.new_event()
    assert_event_shape(event)

    assert admin_api.show(event['id']).json() == {'event': event}
    assert event in admin_api.events(node_uuid=event['node_uuid'])
    assert_no_content(admin_api.edit(event['id'], event_status='completed'))
    assert_no_content(admin_api.delete(event['id']))
    assert_error(admin_api.show(event['id']), 404)


def test_non_admin_is_refused_every_call(
    admin_api: Api, demo_api: Api, admin_event: dict[str, Any]
) -> None:
    event_id = admin_event['id']
    calls = [
        demo_api.list_events(),
        demo_api.show(event_id),
        demo_api.create(name=unique_name(), node_uuid='n', vm_uuid_list=[]),
        demo_api.edit(event_id, event_status='running'),
        demo_api.delete(event_id),
    ]

    for response in calls:
        assert_error(response, 403, 'admin')
    assert admin_api.show(event_id).json() == {'event': admin_event}


def test_stack_noauth_server_needs_no_token(stack: Any) -> None:
    api = Api(stack.noauth_url)

    event = api.new_event()

    assert api.show(event['id']).json() == {'event': event}
