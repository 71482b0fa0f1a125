"""``openstack sidecar event ...``: parsing, requests and output."""

from __future__ import annotations

import json
import logging

import pytest

from sidecarclient.osc.v2 import event
from tests.unit import fakes

ID = 'a1b2c3d4' * 4
ID2 = 'e5f6a7b8' * 4
ID3 = 'c' * 32
EVENT_URL = fakes.EVENTS + '/' + ID
ERROR_HEADERS = {
    'Content-Type': 'application/json',
    'x-openstack-request-id': fakes.REQUEST_ID,
}

# As list returns them: ``extra`` raw text, and a completion time echoed
# for an event that is not completed.
RUNNING = fakes.event(
    id=ID, name='host-7', node_uuid='node-7', event_status='running',
    event_create_time='2026-12-01 10:20:30',
    event_complete_time='2026-12-01 10:20:30',
    vm_uuid_list=['vm-2', 'vm-1'], extra=None,
)
COMPLETED = fakes.event(
    id=ID2, name='host-3', node_uuid='node-3', event_status='completed',
    event_create_time='2026-11-30 08:00:00',
    event_complete_time='2026-11-30 09:15:00',
    vm_uuid_list=None, extra='{"ticket": "OPS-1", "zone": {"rack": 4}}',
)
CREATED = fakes.event(
    id=ID3, name='host-9', node_uuid='node-9', event_status='created',
    event_create_time='2026-11-29 07:00:00', vm_uuid_list=['vm-9'],
    extra='["a", 1]',
)

LIST_TABLE = """\
+----------------------------------+--------+-----------+--------+---------------------+
| ID                               | Name   | Status    | Node   | Created At          |
+----------------------------------+--------+-----------+--------+---------------------+
| a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4 | host-7 | running   | node-7 | 2026-12-01 10:20:30 |
| e5f6a7b8e5f6a7b8e5f6a7b8e5f6a7b8 | host-3 | completed | node-3 | 2026-11-30 08:00:00 |
| cccccccccccccccccccccccccccccccc | host-9 | created   | node-9 | 2026-11-29 07:00:00 |
+----------------------------------+--------+-----------+--------+---------------------+
"""  # noqa: E501

LONG_TABLE = """\
+----------------------------------+--------+-----------+--------+---------------------+---------------------+------------+-------------------------------+
| ID                               | Name   | Status    | Node   | Created At          | Completed At        | VMs        | Extra                         |
+----------------------------------+--------+-----------+--------+---------------------+---------------------+------------+-------------------------------+
| a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4 | host-7 | running   | node-7 | 2026-12-01 10:20:30 | None                | vm-1, vm-2 | None                          |
| e5f6a7b8e5f6a7b8e5f6a7b8e5f6a7b8 | host-3 | completed | node-3 | 2026-11-30 08:00:00 | 2026-11-30 09:15:00 |            | ticket='OPS-1', zone.rack='4' |
| cccccccccccccccccccccccccccccccc | host-9 | created   | node-9 | 2026-11-29 07:00:00 | None                | vm-9       | ["a", 1]                      |
+----------------------------------+--------+-----------+--------+---------------------+---------------------+------------+-------------------------------+
"""  # noqa: E501

LONG_JSON = [
    {
        'ID': ID, 'Name': 'host-7', 'Status': 'running', 'Node': 'node-7',
        'Created At': '2026-12-01 10:20:30', 'Completed At': None,
        'VMs': ['vm-2', 'vm-1'], 'Extra': None,
    },
    {
        'ID': ID2, 'Name': 'host-3', 'Status': 'completed', 'Node': 'node-3',
        'Created At': '2026-11-30 08:00:00',
        'Completed At': '2026-11-30 09:15:00',
        'VMs': [], 'Extra': {'ticket': 'OPS-1', 'zone': {'rack': 4}},
    },
    {
        'ID': ID3, 'Name': 'host-9', 'Status': 'created', 'Node': 'node-9',
        'Created At': '2026-11-29 07:00:00', 'Completed At': None,
        'VMs': ['vm-9'], 'Extra': ['a', 1],
    },
]

SHOW_TABLE = """\
+---------------------+----------------------------------+
| Field               | Value                            |
+---------------------+----------------------------------+
| id                  | a1b2c3d4a1b2c3d4a1b2c3d4a1b2c3d4 |
| name                | host-7                           |
| event_status        | running                          |
| node_uuid           | node-7                           |
| vm_uuid_list        | vm-1, vm-2                       |
| event_create_time   | 2026-12-01 10:20:30              |
| event_complete_time | None                             |
| extra               | None                             |
+---------------------+----------------------------------+
"""

SHOW_JSON = {
    'id': ID,
    'name': 'host-7',
    'event_status': 'running',
    'node_uuid': 'node-7',
    'vm_uuid_list': ['vm-2', 'vm-1'],
    'event_create_time': '2026-12-01 10:20:30',
    'event_complete_time': None,
    'extra': None,
}


def parse(cls, *argv):
    """Parse a command line the way cliff does; SystemExit on a refusal."""
    return cls(None, None).get_parser('openstack').parse_args(list(argv))


def as_json(data):
    """What ``-f json`` prints for ``data``."""
    return json.dumps(data, indent=2) + '\n'


def stub_list(requests_mock, *events):
    """One page holding ``events``, then the empty page that ends it."""
    return requests_mock.get(fakes.EVENTS, [
        {'json': {'events': list(events)}},
        {'json': {'events': []}},
    ])


def stub_find_by_name(requests_mock, name, *found):
    """A name lookup: no event has it as ID; the name filter finds these."""
    requests_mock.get(fakes.EVENTS + '/' + name, status_code=404)
    stub_list(requests_mock, *found)


# -- event list --------------------------------------------------------------


def test_list_parser_defaults():
    args = parse(event.ListEvent)

    assert (args.name, args.node, args.status, args.marker, args.limit) == (
        None, None, None, None, None
    )
    assert (args.created_at, args.created_after, args.created_before) == (
        None, None, None
    )
    assert args.long is False


def test_list_table(sidecar, requests_mock):
    stub_list(requests_mock, RUNNING, COMPLETED, CREATED)

    result = sidecar('event', 'list')

    assert (result.code, result.stdout) == (0, LIST_TABLE)
    first = requests_mock.request_history[0]
    assert (first.method, first.url) == ('GET', fakes.EVENTS)


def test_list_follows_every_page(sidecar, requests_mock):
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': [RUNNING]}},
        {'json': {'events': [COMPLETED]}},
        {'json': {'events': []}},
    ])

    result = sidecar('event', 'list', '-f', 'value', '-c', 'ID')

    assert (result.code, result.stdout) == (0, f'{ID}\n{ID2}\n')
    assert fakes.query(requests_mock.request_history[1])['marker'] == [ID]


def test_list_long_table(sidecar, requests_mock):
    stub_list(requests_mock, RUNNING, COMPLETED, CREATED)

    result = sidecar('event', 'list', '--long')

    assert (result.code, result.stdout) == (0, LONG_TABLE)


def test_list_long_json_has_real_lists_and_objects(sidecar, requests_mock):
    stub_list(requests_mock, RUNNING, COMPLETED, CREATED)

    result = sidecar('event', 'list', '--long', '-f', 'json')

    assert (result.code, result.stdout) == (0, as_json(LONG_JSON))


def test_list_json_default_columns(sidecar, requests_mock):
    stub_list(requests_mock, RUNNING)

    result = sidecar('event', 'list', '-f', 'json')

    assert result.stdout == as_json([{
        'ID': ID, 'Name': 'host-7', 'Status': 'running', 'Node': 'node-7',
        'Created At': '2026-12-01 10:20:30',
    }])


def test_list_sends_every_filter_once(sidecar, requests_mock):
    requests_mock.get(fakes.EVENTS, json={'events': [RUNNING]})

    result = sidecar(
        'event', 'list',
        '--name', 'Host-7',
        '--node', 'node-7',
        '--status', 'running',
        '--created-at', '2026-12-01T10:20:30',
        '--created-after', '2026-12-01 00:00:00',
        '--created-before', '2026-12-02',
        '--marker', ID2,
        '--limit', '1',
    )

    assert result.code == 0, result.error
    assert len(requests_mock.request_history) == 1
    assert fakes.query(requests_mock.last_request) == {
        'name': ['Host-7'],
        'node_uuid': ['node-7'],
        'event_status': ['running'],
        'event_create_time': ['2026-12-01 10:20:30'],
        'min_event_create_time': ['2026-12-01 00:00:00'],
        'max_event_create_time': ['2026-12-02 00:00:00'],
        'marker': [ID2],
        'limit': ['1'],
    }


def test_list_limit_stops_after_that_many(sidecar, requests_mock):
    requests_mock.get(fakes.EVENTS, json={'events': [RUNNING, COMPLETED]})

    result = sidecar('event', 'list', '--limit', '2', '-f', 'value',
                     '-c', 'Name')

    assert (result.code, result.stdout) == (0, 'host-7\nhost-3\n')
    assert len(requests_mock.request_history) == 1
    assert fakes.query(requests_mock.last_request) == {'limit': ['2']}


@pytest.mark.parametrize('argv, message', [
    (['--limit', '0'], '--limit must be between 1 and 2147483647, not 0'),
    (['--limit', '-3'], "--limit must be a positive integer, not '-3'"),
    (['--limit', 'ten'], "--limit must be a positive integer, not 'ten'"),
    (['--created-at', 'yesterday'],
     "--created-at 'yesterday' is not a valid time: use YYYY-MM-DD "
     "HH:MM:SS or ISO 8601 such as 2016-09-02T14:32:17"),
    (['--created-after', '2026-13-01 00:00:00'],
     "--created-after '2026-13-01 00:00:00' is not a valid time: use "
     "YYYY-MM-DD HH:MM:SS or ISO 8601 such as 2016-09-02T14:32:17"),
    (['--created-before', '12/01/2026'],
     "--created-before '12/01/2026' is not a valid time: use YYYY-MM-DD "
     "HH:MM:SS or ISO 8601 such as 2016-09-02T14:32:17"),
    (['--name', ' '], '--name must not be empty'),
    (['--node', ''], '--node must not be empty'),
    (['--marker', ''], '--marker must not be empty'),
])
def test_list_bad_value_fails_before_any_request(
    sidecar, requests_mock, argv, message
):
    result = sidecar('event', 'list', *argv)

    assert result.code == 1
    assert str(result.error) == message
    assert result.stdout == ''
    assert not requests_mock.request_history


def test_list_unknown_status_is_a_usage_error(sidecar, requests_mock, capsys):
    result = sidecar('event', 'list', '--status', 'done')

    assert result.code == 2
    assert "argument --status: invalid choice: 'done'" in (
        capsys.readouterr().err
    )
    assert not requests_mock.request_history


def test_list_failure_prints_no_half_listing(sidecar, requests_mock):
    requests_mock.get(fakes.EVENTS, [
        {'json': {'events': [RUNNING]}},
        {'status_code': 403,
         'text': fakes.error_body(403, 'Policy does not allow this.'),
         'headers': ERROR_HEADERS},
    ])

    result = sidecar('event', 'list')

    assert result.code == 1
    assert result.stdout == ''
    assert str(result.error) == (
        f'Policy does not allow this. (HTTP 403) '
        f'(Request-ID: {fakes.REQUEST_ID})'
    )


# -- event create ------------------------------------------------------------


def test_create_parser():
    args = parse(
        event.CreateEvent, 'host-7', '--node', 'node-7',
        '--vm', 'vm-1', '--vm', 'vm-2',
    )

    assert (args.name, args.node, args.vms) == (
        'host-7', 'node-7', ['vm-1', 'vm-2']
    )
    assert parse(event.CreateEvent, 'host-7', '--node', 'n').vms == []


@pytest.mark.parametrize('argv', [
    ['host-7'],
    ['--node', 'node-7'],
    ['host-7', '--node'],
])
def test_create_parser_refuses(argv):
    with pytest.raises(SystemExit):
        parse(event.CreateEvent, *argv)


def test_create_sends_the_event_and_prints_it(sidecar, requests_mock):
    created = dict(RUNNING, event_status='created')
    requests_mock.post(fakes.EVENTS, status_code=201,
                       json={'event': created})

    result = sidecar(
        'event', 'create', 'host-7', '--node', 'node-7',
        '--vm', 'vm-2', '--vm', 'vm-1',
    )

    assert result.code == 0, result.error
    assert result.stdout == SHOW_TABLE.replace(
        '| running    ', '| created    '
    )
    sent = requests_mock.last_request
    assert (sent.method, sent.url) == ('POST', fakes.EVENTS)
    assert sent.headers['Content-Type'] == 'application/json'
    assert sent.json() == {'event': {
        'name': 'host-7', 'node_uuid': 'node-7',
        'vm_uuid_list': ['vm-2', 'vm-1'],
    }}


def test_create_without_vm_sends_an_empty_list(sidecar, requests_mock):
    requests_mock.post(fakes.EVENTS, status_code=201,
                       json={'event': RUNNING})

    result = sidecar('event', 'create', 'host-7', '--node', 'node-7',
                     '-f', 'json')

    assert (result.code, result.stdout) == (0, as_json(SHOW_JSON))
    assert requests_mock.last_request.json()['event']['vm_uuid_list'] == []


@pytest.mark.parametrize('argv, message', [
    (['h7', '--node', 'n'], "<name> 'h7' must be 3 to 100 characters long "
     "(it has 2)"),
    (['host_', '--node', 'n'],
     "<name> 'host_' is not valid: it must start and end with an ASCII "
     "letter or digit and contain only letters, digits, underscores, "
     "hyphens and spaces"),
    (['host-7', '--node', ' '], '--node must not be empty'),
    (['host-7', '--node', 'n', '--vm', 'a', '--vm', 'a'],
     "instance id 'a' appears more than once"),
])
def test_create_bad_value_fails_before_any_request(
    sidecar, requests_mock, argv, message
):
    result = sidecar('event', 'create', *argv)

    assert (result.code, str(result.error)) == (1, message)
    assert not requests_mock.request_history


def test_create_name_taken(sidecar, requests_mock):
    requests_mock.post(
        fakes.EVENTS, status_code=409,
        text=fakes.error_body(409, 'There is already an event named host-7'),
        headers=ERROR_HEADERS,
    )

    result = sidecar('event', 'create', 'host-7', '--node', 'node-7')

    assert (result.code, result.stdout) == (1, '')
    assert str(result.error) == (
        f'There is already an event named host-7 (HTTP 409) '
        f'(Request-ID: {fakes.REQUEST_ID})'
    )


# -- event show --------------------------------------------------------------


def test_show_parser():
    assert parse(event.ShowEvent, 'host-7').event == 'host-7'
    with pytest.raises(SystemExit):
        parse(event.ShowEvent)


def test_show_by_id_table(sidecar, requests_mock):
    requests_mock.get(EVENT_URL, json={'event': RUNNING})

    result = sidecar('event', 'show', ID)

    assert (result.code, result.stdout) == (0, SHOW_TABLE)
    assert [(r.method, r.url) for r in requests_mock.request_history] == [
        ('GET', EVENT_URL)
    ]


def test_show_by_id_json(sidecar, requests_mock):
    requests_mock.get(EVENT_URL, json={'event': RUNNING})

    result = sidecar('event', 'show', ID, '-f', 'json')

    assert (result.code, result.stdout) == (0, as_json(SHOW_JSON))


def test_show_extra_object(sidecar, requests_mock):
    extra = {'ticket': 'OPS-1', 'zone': {'rack': 4}}
    requests_mock.get(EVENT_URL, json={'event': dict(RUNNING, extra=extra)})

    table = sidecar('event', 'show', ID, '-c', 'extra')
    as_object = sidecar('event', 'show', ID, '-f', 'json', '-c', 'extra')

    assert table.stdout == (
        '+-------+-------------------------------+\n'
        '| Field | Value                         |\n'
        '+-------+-------------------------------+\n'
        "| extra | ticket='OPS-1', zone.rack='4' |\n"
        '+-------+-------------------------------+\n'
    )
    assert as_object.stdout == as_json({'extra': extra})


def test_show_by_name(sidecar, requests_mock):
    stub_find_by_name(requests_mock, 'HOST-7', RUNNING)

    result = sidecar('event', 'show', 'HOST-7', '-f', 'json')

    assert (result.code, result.stdout) == (0, as_json(SHOW_JSON))
    assert fakes.query(requests_mock.request_history[1]) == {
        'name': ['HOST-7']
    }


def test_show_no_match(sidecar, requests_mock):
    stub_find_by_name(requests_mock, 'host-8')

    result = sidecar('event', 'show', 'host-8')

    assert (result.code, result.stdout) == (1, '')
    assert str(result.error) == (
        "No event with a name or ID of 'host-8' exists."
    )


def test_show_several_matches(sidecar, requests_mock):
    stub_find_by_name(
        requests_mock, 'host-7', RUNNING, dict(CREATED, name='HOST-7'),
    )

    result = sidecar('event', 'show', 'host-7')

    assert result.code == 1
    assert str(result.error) == (
        f"More than one event is named 'host-7': {ID}, {ID3}; use an ID "
        f"instead"
    )


def test_show_empty_name_fails_before_any_request(sidecar, requests_mock):
    result = sidecar('event', 'show', '')

    assert (result.code, str(result.error)) == (
        1, 'event name or ID must not be empty'
    )
    assert not requests_mock.request_history


# -- event set ---------------------------------------------------------------


def test_set_parser():
    args = parse(
        event.SetEvent, 'host-7', '--name', 'host-8', '--node', 'node-8',
        '--status', 'completed', '--vm', 'vm-1', '--vm', 'vm-2', '--no-vm',
    )

    assert (args.event, args.name, args.node, args.status) == (
        'host-7', 'host-8', 'node-8', 'completed'
    )
    assert (args.vms, args.no_vm) == (['vm-1', 'vm-2'], True)
    defaults = parse(event.SetEvent, 'host-7')
    assert (defaults.name, defaults.node, defaults.status) == (
        None, None, None
    )
    assert (defaults.vms, defaults.no_vm) == ([], False)


@pytest.mark.parametrize('status', ['created', 'done'])
def test_set_parser_refuses_status(status):
    with pytest.raises(SystemExit):
        parse(event.SetEvent, 'host-7', '--status', status)


def _stub_edit(requests_mock, current=RUNNING):
    requests_mock.get(EVENT_URL, json={'event': current})
    return requests_mock.put(EVENT_URL, status_code=204)


@pytest.mark.parametrize('argv, body', [
    (['--name', 'host-8'], {'name': 'host-8'}),
    (['--node', 'node-8'], {'node_uuid': 'node-8'}),
    (['--status', 'completed'], {'event_status': 'completed'}),
    (['--status', 'running', '--name', 'Host 7 b'],
     {'name': 'Host 7 b', 'event_status': 'running'}),
    (['--vm', 'vm-3', '--vm', 'vm-1'],
     {'vm_uuid_list': ['vm-2', 'vm-1', 'vm-3']}),
    (['--no-vm'], {'vm_uuid_list': []}),
    (['--no-vm', '--vm', 'vm-5', '--vm', 'vm-1'],
     {'vm_uuid_list': ['vm-5', 'vm-1']}),
])
def test_set_sends_only_the_changes(sidecar, requests_mock, argv, body):
    put = _stub_edit(requests_mock)

    result = sidecar('event', 'set', ID, *argv)

    assert (result.code, result.stdout) == (0, ''), result.error
    assert put.call_count == 1
    assert put.last_request.headers['Content-Type'] == 'application/json'
    assert put.last_request.json() == {'event': body}


def test_set_by_name_writes_to_the_id(sidecar, requests_mock):
    stub_find_by_name(requests_mock, 'host-7', RUNNING)
    put = requests_mock.put(EVENT_URL, status_code=204)

    result = sidecar('event', 'set', 'host-7', '--status', 'running')

    assert result.code == 0, result.error
    assert put.last_request.json() == {'event': {'event_status': 'running'}}


def test_set_vm_on_an_event_with_none(sidecar, requests_mock):
    put = _stub_edit(requests_mock, dict(RUNNING, vm_uuid_list=None))

    assert sidecar('event', 'set', ID, '--vm', 'vm-1').code == 0
    assert put.last_request.json() == {'event': {'vm_uuid_list': ['vm-1']}}


def test_set_nothing_to_change(sidecar, requests_mock):
    result = sidecar('event', 'set', ID)

    assert result.code == 1
    assert str(result.error) == (
        'Nothing to change: give at least one of --name, --node, --status, '
        '--vm, --no-vm'
    )
    assert not requests_mock.request_history


@pytest.mark.parametrize('argv, message', [
    (['--name', 'x'], "--name 'x' must be 3 to 100 characters long "
     "(it has 1)"),
    (['--name', 'a' * 101], f"--name '{'a' * 101}' must be 3 to 100 "
     f"characters long (it has 101)"),
    (['--name', 'bad name!'],
     "--name 'bad name!' is not valid: it must start and end with an "
     "ASCII letter or digit and contain only letters, digits, "
     "underscores, hyphens and spaces"),
    (['--node', ' '], '--node must not be empty'),
    (['--vm', 'vm-1', '--vm', 'vm-1'],
     "instance id 'vm-1' appears more than once"),
    (['--vm', ''], 'an instance id in vm_uuid_list must not be empty'),
])
def test_set_bad_value_fails_before_any_request(
    sidecar, requests_mock, argv, message
):
    result = sidecar('event', 'set', ID, *argv)

    assert (result.code, str(result.error)) == (1, message)
    assert not requests_mock.request_history


def test_set_unknown_event(sidecar, requests_mock):
    stub_find_by_name(requests_mock, 'host-8')
    put = requests_mock.put(fakes.EVENTS + '/host-8', status_code=204)

    result = sidecar('event', 'set', 'host-8', '--status', 'running')

    assert result.code == 1
    assert str(result.error) == (
        "No event with a name or ID of 'host-8' exists."
    )
    assert not put.called


# -- event delete ------------------------------------------------------------


def test_delete_parser():
    assert parse(event.DeleteEvent, 'a', 'b').events == ['a', 'b']
    with pytest.raises(SystemExit):
        parse(event.DeleteEvent)


def test_delete_one(sidecar, requests_mock):
    requests_mock.get(EVENT_URL, json={'event': COMPLETED | {'id': ID}})
    delete = requests_mock.delete(EVENT_URL, status_code=204)

    result = sidecar('event', 'delete', ID)

    assert (result.code, result.stdout, result.error) == (0, '', None)
    assert delete.call_count == 1


def test_delete_by_name(sidecar, requests_mock):
    stub_find_by_name(requests_mock, 'host-3', COMPLETED)
    delete = requests_mock.delete(
        fakes.EVENTS + '/' + ID2, status_code=204
    )

    assert sidecar('event', 'delete', 'host-3').code == 0
    assert delete.call_count == 1


def test_delete_goes_on_after_failures(sidecar, requests_mock, caplog):
    # The first is not completed, the second does not exist, the third
    # is deleted all the same.
    requests_mock.get(EVENT_URL, json={'event': RUNNING})
    refused = requests_mock.delete(
        EVENT_URL, status_code=403,
        text=fakes.error_body(
            403, f'Event {ID} is running: only a completed event can be '
            f'deleted.'
        ),
        headers=ERROR_HEADERS,
    )
    stub_find_by_name(requests_mock, 'host-8')
    requests_mock.get(fakes.EVENTS + '/' + ID2, json={'event': COMPLETED})
    deleted = requests_mock.delete(
        fakes.EVENTS + '/' + ID2, status_code=204
    )
    caplog.set_level(logging.ERROR, logger=event.__name__)

    result = sidecar('event', 'delete', ID, 'host-8', ID2)

    assert (result.code, result.stdout) == (1, '')
    assert str(result.error) == '2 of 3 events failed to delete.'
    assert (refused.call_count, deleted.call_count) == (1, 1)
    assert [
        (r.levelname, r.getMessage()) for r in caplog.records
        if r.name == event.__name__
    ] == [
        ('ERROR',
         f"Failed to delete event '{ID}': Event {ID} is running: only a "
         f"completed event can be deleted. (HTTP 403) "
         f"(Request-ID: {fakes.REQUEST_ID})"),
        ('ERROR',
         "Failed to delete event 'host-8': No event with a name or ID of "
         "'host-8' exists."),
    ]


def test_delete_all_fail(sidecar, requests_mock):
    result = sidecar('event', 'delete', '', ' ')

    assert str(result.error) == '2 of 2 events failed to delete.'
    assert not requests_mock.request_history
