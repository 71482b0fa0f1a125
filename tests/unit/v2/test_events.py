"""``client.events``: exactly what goes on the wire, and what comes back."""

from __future__ import annotations

import datetime

import pytest

from sidecarclient import exceptions
from sidecarclient.v2 import events as events_mod
from tests.unit import fakes

ID = 'a1b2c3d4' * 4
EVENT_URL = fakes.EVENTS + '/' + ID

# An id as typed, and the one path segment that must be sent for it.
AWKWARD_IDS = [
    ('a/b', 'a%2Fb'),
    ('a?b', 'a%3Fb'),
    ('a#b', 'a%23b'),
    ('a%b', 'a%25b'),
    ('a%2Fb', 'a%252Fb'),
    ('a b', 'a%20b'),
    ('a+b', 'a%2Bb'),
    ('a..b', 'a..b'),
    ('...', '...'),
    ('../x', '..%2Fx'),
    ('h\u00f4te-\u2603', 'h%C3%B4te-%E2%98%83'),
]


@pytest.fixture
def sc():
    return fakes.token_client()


# -- list ---------------------------------------------------------------------


def test_list_sends_no_filter_by_default(requests_mock, sc):
    requests_mock.get(fakes.EVENTS, json={'events': []})
    assert list(sc.events.list()) == []
    sent = requests_mock.last_request
    assert sent.method == 'GET'
    assert sent.url == fakes.EVENTS
    assert sent.headers['Accept'] == 'application/json'
    assert sent.headers['X-Auth-Token'] == fakes.GIVEN_TOKEN
    assert sent.body is None


def test_list_sends_every_filter_once(requests_mock, sc):
    requests_mock.get(fakes.EVENTS, json={'events': []})
    list(sc.events.list(
        id=ID,
        name='Host-7 down',
        node_uuid='node/7',
        event_status='running',
        event_create_time='2026-12-01 10:20:30',
        min_event_create_time=datetime.datetime(2026, 11, 30, 1, 2, 3),
        max_event_create_time='2026-12-02T23:59:59',
        limit=5,
    ))
    assert requests_mock.call_count == 1
    assert fakes.query(requests_mock.last_request) == {
        'id': [ID],
        'name': ['Host-7 down'],
        'node_uuid': ['node/7'],
        'event_status': ['running'],
        'event_create_time': ['2026-12-01 10:20:30'],
        'min_event_create_time': ['2026-11-30 01:02:03'],
        'max_event_create_time': ['2026-12-02 23:59:59'],
        'limit': ['5'],
    }


def test_list_query_is_percent_encoded(requests_mock, sc):
    requests_mock.get(fakes.EVENTS, json={'events': []})
    list(sc.events.list(name='h\u00f4te 1&x=2#3', marker='m/1'))
    assert requests_mock.request_history[0].url == (
        fakes.EVENTS + '?name=h%C3%B4te+1%26x%3D2%233&marker=m%2F1&limit=30'
    )


def test_list_returns_events(requests_mock, sc):
    raw = fakes.events(3)
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': raw}}, {'json': {'events': []}},
    ])
    found = list(sc.events.list())
    assert [e.id for e in found] == [e['id'] for e in raw]
    assert all(isinstance(e, events_mod.Event) for e in found)
    assert found[0].name == raw[0]['name']


@pytest.mark.parametrize(
    'kwargs, named',
    [
        ({'event_status': 'done'}, 'event status'),
        ({'event_create_time': 'yesterday'}, 'event_create_time'),
        ({'min_event_create_time': '2026-13-01'}, 'min_event_create_time'),
        ({'max_event_create_time': 42}, 'max_event_create_time'),
        ({'limit': 0}, 'limit'),
        ({'limit': 'ten'}, 'limit'),
        ({'limit': True}, 'limit'),
        ({'page_size': -1}, 'page_size'),
        ({'name': ''}, 'name'),
        ({'id': 7}, 'id'),
        ({'marker': ' '}, 'marker'),
    ],
)
def test_list_checks_filters_before_sending(requests_mock, sc, kwargs,
                                            named):
    with pytest.raises(exceptions.ValidationError) as caught:
        sc.events.list(**kwargs)
    assert named in str(caught.value)
    assert requests_mock.call_count == 0


def test_list_accepts_numeric_strings(requests_mock, sc):
    requests_mock.get(fakes.EVENTS, json={'events': fakes.events(2)})
    assert len(sc.events.list(limit='2')) == 2
    assert fakes.query(requests_mock.last_request)['limit'] == ['2']


# -- detail -------------------------------------------------------------------


def test_detail(requests_mock, sc):
    raw = fakes.event(id=ID, extra={'ticket': 'OPS-1'})
    requests_mock.get(EVENT_URL, json={'event': raw})
    found = sc.events.detail(ID)
    sent = requests_mock.last_request
    assert (sent.method, sent.url) == ('GET', EVENT_URL)
    assert sent.headers['Accept'] == 'application/json'
    assert sent.body is None
    assert isinstance(found, events_mod.Event)
    assert found.id == ID
    assert found.extra == {'ticket': 'OPS-1'}


@pytest.mark.parametrize('given, segment', AWKWARD_IDS)
def test_ids_are_one_encoded_path_segment(requests_mock, sc, given,
                                          segment):
    requests_mock.get(fakes.EVENTS + '/' + segment,
                      json={'event': fakes.event(id=given)})
    requests_mock.put(fakes.EVENTS + '/' + segment, status_code=204)
    requests_mock.delete(fakes.EVENTS + '/' + segment, status_code=204)

    sc.events.detail(given)
    sc.events.edit(given, event_status='running')
    sc.events.delete(given)

    expected = fakes.EVENTS + '/' + segment
    assert [(r.method, r.url) for r in requests_mock.request_history] == [
        ('GET', expected), ('PUT', expected), ('DELETE', expected),
    ]


@pytest.mark.parametrize('given', ['.', '..'])
def test_dot_ids_are_refused(requests_mock, sc, given):
    # requests turns %2E back into a dot, and a dot segment would be
    # resolved against the path by the server or a proxy in front of it:
    # ``delete('..')`` would act on the collection. Such an id cannot
    # exist, so nothing is sent.
    for call in (
        lambda: sc.events.detail(given),
        lambda: sc.events.edit(given, name='abc'),
        lambda: sc.events.delete(given),
        lambda: sc.events.find(given),
    ):
        with pytest.raises(exceptions.ValidationError) as caught:
            call()
        assert repr(given) in str(caught.value)
    assert requests_mock.call_count == 0


@pytest.mark.parametrize('given', [None, '', '  ', 5])
def test_detail_needs_an_id(requests_mock, sc, given):
    with pytest.raises(exceptions.ValidationError, match='id'):
        sc.events.detail(given)
    assert requests_mock.call_count == 0


@pytest.mark.parametrize(
    'body',
    [{'event': None}, {'event': []}, {'event': {'name': 'no-id'}},
     {'events': []}, [], 'text'],
)
def test_detail_unreadable_event(requests_mock, sc, body):
    requests_mock.get(EVENT_URL, json=body,
                      headers={'x-openstack-request-id': fakes.REQUEST_ID})
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        sc.events.detail(ID)
    message = str(caught.value)
    assert 'GET' in message
    assert EVENT_URL in message
    assert fakes.REQUEST_ID in message


# -- create -------------------------------------------------------------------


def test_create(requests_mock, sc):
    made = fakes.event(id=ID, name='host-9', node_uuid='node-9',
                       vm_uuid_list=['vm-a', 'vm-b'])
    requests_mock.post(fakes.EVENTS, status_code=201, json={'event': made})
    found = sc.events.create('host-9', 'node-9', ['vm-a', 'vm-b'])

    sent = requests_mock.last_request
    assert (sent.method, sent.url) == ('POST', fakes.EVENTS)
    assert sent.headers['Content-Type'] == 'application/json'
    assert sent.headers['Accept'] == 'application/json'
    assert sent.json() == {
        'event': {
            'name': 'host-9',
            'node_uuid': 'node-9',
            'vm_uuid_list': ['vm-a', 'vm-b'],
        }
    }
    assert isinstance(found, events_mod.Event)
    assert found.id == ID
    assert found.vm_uuid_list == ['vm-a', 'vm-b']


def test_create_sends_an_empty_list_when_none_given(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, status_code=201,
                       json={'event': fakes.event(id=ID)})
    sc.events.create(name='host-9', node_uuid='node-9')
    assert requests_mock.last_request.json() == {
        'event': {'name': 'host-9', 'node_uuid': 'node-9',
                  'vm_uuid_list': []}
    }


def test_create_accepts_any_iterable(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, status_code=201,
                       json={'event': fakes.event(id=ID)})
    sc.events.create('host-9', 'node-9', (vm for vm in ('x', 'y')))
    body = requests_mock.last_request.json()['event']
    assert body['vm_uuid_list'] == ['x', 'y']


@pytest.mark.parametrize(
    'kwargs, named',
    [
        ({'name': 'ab'}, 'name'),
        ({'name': 'a' * 101}, '101'),
        ({'name': '-host'}, 'name'),
        ({'name': 'host!'}, 'name'),
        ({'name': None}, 'name'),
        ({'node_uuid': ''}, 'node_uuid'),
        ({'vm_uuid_list': 'vm-1'}, 'vm_uuid_list'),
        ({'vm_uuid_list': ['vm-1', 'vm-1']}, 'vm-1'),
        ({'vm_uuid_list': ['vm-1', '']}, 'vm_uuid_list'),
    ],
)
def test_create_checks_before_sending(requests_mock, sc, kwargs, named):
    args = {'name': 'host-9', 'node_uuid': 'node-9'}
    args.update(kwargs)
    with pytest.raises(exceptions.ValidationError) as caught:
        sc.events.create(**args)
    assert named in str(caught.value)
    assert requests_mock.call_count == 0


def test_create_accepts_the_longest_name(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, status_code=201,
                       json={'event': fakes.event(id=ID)})
    name = 'a' + 'b c_d-e' * 14 + 'z'
    assert len(name) == 100
    sc.events.create(name, 'node-9')
    assert requests_mock.last_request.json()['event']['name'] == name


def test_create_with_unreadable_answer(requests_mock, sc):
    requests_mock.post(fakes.EVENTS, status_code=201, text='Created')
    with pytest.raises(exceptions.UnexpectedResponse) as caught:
        sc.events.create('host-9', 'node-9')
    assert 'POST' in str(caught.value)
    assert '201' in str(caught.value)


# -- edit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    'kwargs',
    [
        {'name': 'Hello098765'},
        {'node_uuid': 'node-10'},
        {'event_status': 'running'},
        {'event_status': 'completed'},
        {'vm_uuid_list': ['vm-3']},
        {'vm_uuid_list': []},
        {'name': 'new-name', 'node_uuid': 'n', 'event_status': 'completed',
         'vm_uuid_list': ['a', 'b']},
    ],
)
def test_edit_sends_only_the_given_fields(requests_mock, sc, kwargs):
    requests_mock.put(EVENT_URL, status_code=204)
    assert sc.events.edit(ID, **kwargs) is None
    sent = requests_mock.last_request
    assert (sent.method, sent.url) == ('PUT', EVENT_URL)
    assert sent.headers['Content-Type'] == 'application/json'
    assert sent.headers['Accept'] == 'application/json'
    assert sent.json() == {'event': kwargs}


def test_edit_with_nothing_to_change(requests_mock, sc):
    # Deployed servers fail with 500 on an empty edit: it is never sent.
    with pytest.raises(exceptions.ValidationError) as caught:
        sc.events.edit(ID)
    assert 'Nothing to change' in str(caught.value)
    assert requests_mock.call_count == 0


@pytest.mark.parametrize(
    'kwargs, named',
    [
        ({'event_status': 'created'}, 'created'),
        ({'event_status': 'finished'}, 'finished'),
        ({'name': 'x'}, 'name'),
        ({'node_uuid': ''}, 'node_uuid'),
        ({'vm_uuid_list': ['a', 'a']}, "'a'"),
    ],
)
def test_edit_checks_before_sending(requests_mock, sc, kwargs, named):
    with pytest.raises(exceptions.ValidationError) as caught:
        sc.events.edit(ID, **kwargs)
    assert named in str(caught.value)
    assert requests_mock.call_count == 0


# -- delete -------------------------------------------------------------------


def test_delete(requests_mock, sc):
    requests_mock.delete(EVENT_URL, status_code=204)
    assert sc.events.delete(ID) is None
    sent = requests_mock.last_request
    assert (sent.method, sent.url) == ('DELETE', EVENT_URL)
    assert sent.headers['Accept'] == 'application/json'
    assert sent.body is None


def test_delete_of_an_unfinished_event(requests_mock, sc):
    requests_mock.delete(
        EVENT_URL, status_code=403,
        text=fakes.error_body(403, 'Only a completed event may be deleted'),
        headers={'Content-Type': 'application/json'},
    )
    with pytest.raises(exceptions.Forbidden) as caught:
        sc.events.delete(ID)
    assert 'Only a completed event may be deleted' in str(caught.value)
    assert requests_mock.call_count == 1


# -- find ---------------------------------------------------------------------


def test_find_by_id(requests_mock, sc):
    requests_mock.get(EVENT_URL, json={'event': fakes.event(id=ID)})
    assert sc.events.find(ID).id == ID
    assert requests_mock.call_count == 1


def test_find_by_name(requests_mock, sc):
    requests_mock.get(fakes.EVENTS + '/Host-7', status_code=404)
    wanted = fakes.event(name='host-7')
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': [fakes.event(name='host-77'), wanted]}},
        {'json': {'events': []}},
    ])
    assert sc.events.find('Host-7').id == wanted['id']
    assert fakes.query(requests_mock.request_history[1]) == {
        'name': ['Host-7']
    }


def test_find_nothing(requests_mock, sc):
    requests_mock.get(fakes.EVENTS + '/host-7', status_code=404)
    requests_mock.get(fakes.EVENTS, json={'events': []})
    with pytest.raises(exceptions.NoSuchEvent) as caught:
        sc.events.find('host-7')
    assert isinstance(caught.value, exceptions.NotFound)
    assert str(caught.value) == (
        "No event with a name or ID of 'host-7' exists."
    )


def test_find_several(requests_mock, sc):
    requests_mock.get(fakes.EVENTS + '/host-7', status_code=404)
    twins = [fakes.event(name='host-7'), fakes.event(name='HOST-7')]
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': twins}}, {'json': {'events': []}},
    ])
    with pytest.raises(exceptions.NoUniqueMatch) as caught:
        sc.events.find('host-7')
    for twin in twins:
        assert twin['id'] in str(caught.value)


# -- Event --------------------------------------------------------------------


def test_listed_extra_is_decoded(requests_mock, sc):
    raw = [
        fakes.event(extra='{"ticket": "OPS-1", "n": [1, 2]}'),
        fakes.event(extra='not json at all'),
        fakes.event(extra=None),
        fakes.event(extra='"quoted"'),
    ]
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': raw}}, {'json': {'events': []}},
    ])
    extras = [e.extra for e in sc.events.list()]
    assert extras == [
        {'ticket': 'OPS-1', 'n': [1, 2]}, 'not json at all', None, 'quoted',
    ]


def test_shown_extra_is_kept(requests_mock, sc):
    # Show returns extra decoded already; a string there is a string.
    requests_mock.get(EVENT_URL, json={'event': fakes.event(
        id=ID, extra='{"not": "decoded twice"}')})
    assert sc.events.detail(ID).extra == '{"not": "decoded twice"}'


@pytest.mark.parametrize(
    'status, complete_time',
    [('created', None), ('running', None),
     ('completed', '2026-12-01 11:00:00')],
)
def test_complete_time_only_when_completed(requests_mock, sc, status,
                                           complete_time):
    raw = fakes.event(id=ID, event_status=status,
                      event_complete_time='2026-12-01 11:00:00')
    requests_mock.get(EVENT_URL, json={'event': raw})
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': [raw]}}, {'json': {'events': []}},
    ])
    requests_mock.post(fakes.EVENTS, status_code=201, json={'event': raw})
    assert sc.events.detail(ID).event_complete_time == complete_time
    assert [e.event_complete_time for e in sc.events.list()] == [
        complete_time
    ]
    made = sc.events.create('host-9', 'node-9')
    assert made.event_complete_time == complete_time


def test_null_vm_list_is_an_empty_list():
    event = events_mod.Event(fakes.event(vm_uuid_list=None))
    assert event.vm_uuid_list == []
    assert event.to_dict()['vm_uuid_list'] == []


def test_missing_fields_are_none():
    event = events_mod.Event({'id': ID})
    for name in ('name', 'node_uuid', 'event_status', 'event_create_time',
                 'event_complete_time', 'extra'):
        assert getattr(event, name) is None
    assert event.vm_uuid_list == []


def test_unknown_fields_are_kept(requests_mock, sc):
    raw = fakes.event(id=ID, host_group='rack-4', priority=3)
    requests_mock.get(EVENT_URL, json={'event': raw})
    event = sc.events.detail(ID)
    assert event.host_group == 'rack-4'
    assert event.priority == 3
    assert event.to_dict()['host_group'] == 'rack-4'
    with pytest.raises(AttributeError, match='no_such_field'):
        event.no_such_field  # noqa: B018


def test_to_dict():
    raw = fakes.event(id=ID, event_status='completed',
                      event_complete_time='2026-12-01 11:00:00')
    event = events_mod.Event(raw)
    data = event.to_dict()
    assert data == raw
    # A copy: changing it leaves the event alone.
    data['name'] = 'changed'
    data['vm_uuid_list'] = None
    assert event.name == raw['name']
    assert event.vm_uuid_list == raw['vm_uuid_list']
    assert set(data) >= set(events_mod.Event.fields)


def test_event_does_not_keep_the_callers_dict():
    raw = fakes.event(id=ID)
    event = events_mod.Event(raw)
    raw['name'] = 'changed'
    assert event.name != 'changed'


def test_event_repr():
    event = events_mod.Event(fakes.event(
        id=ID, name='host-7', event_status='running', node_uuid='node-7',
        extra={'password': 'hunter2'},
    ))
    text = repr(event)
    assert text == (
        f"<Event id='{ID}' name='host-7' event_status='running' "
        f"node_uuid='node-7'>"
    )
    assert 'hunter2' not in text


def test_event_equality():
    raw = fakes.event(id=ID)
    assert events_mod.Event(raw) == events_mod.Event(dict(raw))
    assert events_mod.Event(raw) != events_mod.Event(dict(raw, name='x'))
    assert len({events_mod.Event(raw), events_mod.Event(dict(raw))}) == 1
