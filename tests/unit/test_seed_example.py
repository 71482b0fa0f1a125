"""The example of the original README, in Python 3, against a mocked API.

The original example lists, creates, shows, renames, shows again and
deletes an event. The mocked service below keeps state and applies the
rules of the wire contract, including that only a completed event may be
deleted.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid

import pytest

from sidecarclient import client
from sidecarclient import exceptions

KEYSTONE_URL = 'http://controller:35357/v2'
ENDPOINT = 'http://controller:9090/v2'
COLLECTION = ENDPOINT + '/evacuates/events'
ONE = re.compile(re.escape(COLLECTION) + r'/(?P<id>[^/?]+)$')
TOKEN = 'seed-example-token'


class FakeSidecar:
    """Just enough of a Sidecar v2 server, with state."""

    def __init__(self) -> None:
        self.events: dict[str, dict] = {}
        self.requests = 0

    def register(self, mocker) -> None:
        mocker.get(COLLECTION, json=self.list)
        mocker.post(COLLECTION, text=self.create)
        mocker.get(ONE, text=self.show)
        mocker.put(ONE, text=self.edit)
        mocker.delete(ONE, text=self.delete)

    def _answer(self, request, context, status, body=None) -> str:
        assert request.headers['X-Auth-Token'] == TOKEN
        assert request.headers['Accept'] == 'application/json'
        self.requests += 1
        context.status_code = status
        context.headers['x-openstack-request-id'] = f'req-{self.requests}'
        if body is None:
            return ''
        context.headers['Content-Type'] = 'application/json'
        return json.dumps(body)

    def _error(self, request, context, status, message) -> str:
        return self._answer(request, context, status, {'error': {
            'code': status, 'title': 'Error', 'message': message,
        }})

    def _body(self, request) -> dict:
        assert request.headers['Content-Type'] == 'application/json'
        return request.json()['event']

    def _taken(self, name, but=None) -> bool:
        return any(e['name'].lower() == name.lower()
                   for e in self.events.values() if e['id'] != but)

    def list(self, request, context) -> dict:
        self._answer(request, context, 200)
        context.headers['Content-Type'] = 'application/json'
        query = request.qs
        found = sorted(self.events.values(),
                       key=lambda e: e['event_create_time'], reverse=True)
        if 'name' in query:
            found = [e for e in found if e['name'].lower() == query['name'][0]]
        if 'marker' in query:
            ids = [e['id'] for e in found]
            marker = query['marker'][0]
            found = found[ids.index(marker) + 1:] if marker in ids else found
        limit = int(query.get('limit', ['30'])[0])
        # List returns extra as the raw text the server stored.
        return {'events': [dict(e, extra=json.dumps(e['extra']))
                           for e in found[:limit]]}

    def create(self, request, context) -> str:
        body = self._body(request)
        if self._taken(body['name']):
            return self._error(request, context, 409,
                               f"There is already an event named "
                               f"{body['name']}")
        now = datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S')
        event = {
            'id': uuid.uuid4().hex,
            'name': body['name'],
            'node_uuid': body['node_uuid'],
            'vm_uuid_list': body['vm_uuid_list'],
            'event_status': 'created',
            'event_create_time': now,
            'event_complete_time': None,
            'extra': None,
        }
        self.events[event['id']] = event
        # Deployed servers echo the create time as the completion time.
        shown = dict(event, event_complete_time=now)
        return self._answer(request, context, 201, {'event': shown})

    def _find(self, request):
        return self.events.get(ONE.match(request.url).group('id'))

    def show(self, request, context) -> str:
        event = self._find(request)
        if event is None:
            return self._error(request, context, 404, 'Event not found')
        shown = dict(event, event_complete_time=(
            event['event_complete_time'] or event['event_create_time']))
        return self._answer(request, context, 200, {'event': shown})

    def edit(self, request, context) -> str:
        event = self._find(request)
        if event is None:
            return self._error(request, context, 404, 'Event not found')
        changes = self._body(request)
        assert changes, 'an empty edit makes deployed servers fail'
        if 'name' in changes and self._taken(changes['name'], event['id']):
            return self._error(request, context, 409, 'Name taken')
        event.update(changes)
        if changes.get('event_status') == 'completed':
            event['event_complete_time'] = datetime.datetime.now().strftime(
                '%Y-%m-%d %H:%M:%S')
        return self._answer(request, context, 204)

    def delete(self, request, context) -> str:
        event = self._find(request)
        if event is None:
            return self._error(request, context, 404, 'Event not found')
        if event['event_status'] != 'completed':
            return self._error(request, context, 403,
                               'Only a completed event may be deleted')
        del self.events[event['id']]
        return self._answer(request, context, 204)


@pytest.fixture
def server(requests_mock):
    from keystoneauth1 import fixture as ksa_fixture

    token = ksa_fixture.V2Token(token_id=TOKEN, tenant_name='admin')
    token.add_service('sidecar').add_endpoint(
        public=ENDPOINT, region='regionOne'
    )
    requests_mock.post(KEYSTONE_URL + '/tokens', json=token)
    fake = FakeSidecar()
    fake.register(requests_mock)
    # One event exists already, so that the listing has something to show.
    fake.events['0' * 32] = {
        'id': '0' * 32, 'name': 'host-1-down', 'node_uuid': 'host-1',
        'vm_uuid_list': ['vm-9'], 'event_status': 'completed',
        'event_create_time': '2026-11-30 08:00:00',
        'event_complete_time': '2026-11-30 08:30:00',
        'extra': {'ticket': 'OPS-12'},
    }
    return fake


def print_event(event) -> None:
    print(f'# id:{event.id}')
    print(f'# name:{event.name}')
    print(f'# node_uuid:{event.node_uuid}')
    print(f'# vm_uuid_list:{event.vm_uuid_list}')
    print(f'# extra:{event.extra}')
    print(f'# event_create_time:{event.event_create_time}')
    print(f'# event_complete_time:{event.event_complete_time}')


def seed_example(complete_before_delete: bool) -> None:
    """The README example in Python 3 syntax.

    ``complete_before_delete`` adds the one step the contract needs for
    the final delete to succeed.
    """
    sidecar = client.Client(
        auth_version=2,
        username='admin',
        password='demo',
        endpoint='http://controller:9090/v2',
        auth_url='http://controller:35357/v2',
        endpoint_type='publicURL',
        region_name='regionOne',
        tenant_name='admin',
        timeout=10,
        insecure=False,
    )
    print('# LISTING EVENTS')
    events = sidecar.events.list()
    print(f'#Total event count {len(events)}:')
    for event in events:
        print('#=======================')
        print_event(event)
    print('# CREATING NEW EVENT')
    new_event = sidecar.events.create(
        name='test786872368-7690',
        node_uuid='897897879jhkjk',
        vm_uuid_list=['gvjhsdgvjs7678', 'bcjhdhgbskjch786768'],
    )
    print_event(new_event)
    print(f'# EVENT DETAIL WITH ID {new_event.id}')
    event_detail = sidecar.events.detail(id=new_event.id)
    print_event(event_detail)
    print(f'# Edit event WITH ID {new_event.id}')
    event_detail = sidecar.events.edit(id=new_event.id, name='Hello098765')
    assert event_detail is None
    print(f'# EVENT DETAIL WITH ID {new_event.id}')
    event_detail = sidecar.events.detail(id=new_event.id)
    print_event(event_detail)
    if complete_before_delete:
        # Not in the original: the contract lets only a completed event
        # be deleted.
        sidecar.events.edit(id=new_event.id, event_status='completed')
    print(f'# DELETE EVENT WITH ID {new_event.id}')
    sidecar.events.delete(id=new_event.id)


def test_seed_example(server, requests_mock, capsys):
    seed_example(complete_before_delete=True)
    out = capsys.readouterr().out

    assert '#Total event count 1:' in out
    assert '# name:host-1-down' in out
    # Listed extra arrives as text and is decoded.
    assert "# extra:{'ticket': 'OPS-12'}" in out
    assert '# name:test786872368-7690' in out
    assert '# name:Hello098765' in out
    assert "# vm_uuid_list:['gvjhsdgvjs7678', 'bcjhdhgbskjch786768']" in out
    # Not completed yet: no completion time, whatever the server echoed.
    assert out.count('# event_complete_time:None') == 3
    assert list(server.events) == ['0' * 32]

    sent = [(r.method, r.url) for r in requests_mock.request_history]
    new_id = re.search(r'# id:([0-9a-f]{32})\n# name:test', out).group(1)
    one = COLLECTION + '/' + new_id
    assert sent == [
        ('POST', KEYSTONE_URL + '/tokens'),
        ('GET', COLLECTION),
        ('GET', COLLECTION + '?marker=' + '0' * 32 + '&limit=2'),
        ('POST', COLLECTION),
        ('GET', one),
        ('PUT', one),
        ('GET', one),
        ('PUT', one),
        ('DELETE', one),
    ]
    login = requests_mock.request_history[0].json()
    assert login == {'auth': {
        'passwordCredentials': {'username': 'admin', 'password': 'demo'},
        'tenantName': 'admin',
    }}
    assert requests_mock.request_history[5].json() == {
        'event': {'name': 'Hello098765'}
    }


def test_seed_example_as_written_is_refused_at_delete(server, capsys):
    # The original deletes an event it never completed: the service
    # refuses, and the refusal carries the server's reason.
    with pytest.raises(exceptions.Forbidden) as caught:
        seed_example(complete_before_delete=False)
    assert 'Only a completed event may be deleted (HTTP 403)' in str(
        caught.value
    )
    assert len(server.events) == 2
