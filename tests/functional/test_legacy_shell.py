"""The legacy ``sidecar`` command line against the stack.

Every subcommand runs as a subprocess with the ``OS_*`` variables of the
stack's openrc and Identity v3, as scripts written for the original
tool run it. Tables are read back and compared with what the library
sees on the server.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sidecarclient import client
from sidecarclient import exceptions
from sidecarclient.v2 import events as v2_events
from tests.functional import support

EVENT_FIELDS = [
    'id',
    'name',
    'event_status',
    'node_uuid',
    'event_create_time',
    'event_complete_time',
    'vm_uuid_list',
    'extra',
]
SUBCOMMANDS = [
    'all-versions',
    'bash-completion',
    'evacuates-event-create',
    'evacuates-event-delete',
    'evacuates-event-detail',
    'evacuates-event-edit',
    'evacuates-events-list',
    'help',
]


@pytest.fixture(scope='module', autouse=True)
def _sweep(stack: Any) -> Iterator[None]:
    yield
    support.sweep(stack)


def sidecar(*args: str, env: dict[str, str]) -> (
    subprocess.CompletedProcess[str]
):
    return support.run(support.SIDECAR, *args, env=env)


@pytest.fixture(scope='module')
def env(stack: Any) -> dict[str, str]:
    """The admin's openrc, with the Identity version the shell reads."""
    return stack.env('admin', OS_AUTH_VERSION='3')


@pytest.fixture(scope='module')
def admin(stack: Any) -> Iterator[client.Client]:
    with support.password_client(stack) as lib:
        yield lib


def as_table(event: v2_events.Event) -> dict[str, str]:
    """An event as the shell prints it in a "Field Name | Value" table."""
    info = event.to_dict()
    return {
        'id': info['id'],
        'name': info['name'],
        'event_status': info['event_status'],
        'node_uuid': info['node_uuid'],
        'event_create_time': info['event_create_time'],
        'event_complete_time': info['event_complete_time'] or '',
        'vm_uuid_list': '\n'.join(info['vm_uuid_list']),
        'extra': '' if info['extra'] is None else str(info['extra']),
    }


def listed_ids(result: subprocess.CompletedProcess[str]) -> list[str]:
    rows = support.parse_table(support.succeeded(result))
    return [row['id'] for row in rows]


def test_event_lifecycle(env: dict[str, str],
                         admin: client.Client) -> None:
    name, node = support.unique_name('legacy'), support.unique_node()

    printed = support.parse_fields(support.succeeded(sidecar(
        'evacuates-event-create', '--name', name, '--node-uuid', node,
        '--vm-uuid-list', 'vm-1,vm-2', env=env,
    )))
    assert list(printed) == EVENT_FIELDS
    event_id = printed['id']
    assert support.EVENT_ID.fullmatch(event_id)
    assert (printed['name'], printed['node_uuid'],
            printed['event_status']) == (name, node, 'created')
    assert support.SERVER_TIME.fullmatch(printed['event_create_time'])
    assert printed['event_complete_time'] == ''
    assert printed['vm_uuid_list'] == 'vm-1\nvm-2'
    assert printed['extra'] == ''
    assert printed == as_table(admin.events.detail(event_id))

    shown = support.parse_fields(support.succeeded(sidecar(
        'evacuates-event-detail', '--id', event_id, env=env,
    )))
    assert shown == printed

    new_name = support.unique_name('legacy')
    edited = support.parse_fields(support.succeeded(sidecar(
        'evacuates-event-edit', '--id', event_id, '--name', new_name,
        '--event-status', 'running', '--vm-uuid-list', 'vm-3', env=env,
    )))
    # The edit prints the event as it is afterwards.
    assert edited == dict(
        printed, name=new_name, event_status='running', vm_uuid_list='vm-3'
    )
    assert edited == as_table(admin.events.detail(event_id))

    rows = support.parse_table(support.succeeded(sidecar(
        'evacuates-events-list', '--name', new_name.upper(), env=env,
    )))
    assert rows == [edited]

    completed = support.parse_fields(support.succeeded(sidecar(
        'evacuates-event-edit', '--id', event_id, '--event-status',
        'completed', '--vm-uuid-list', '', env=env,
    )))
    assert completed['event_status'] == 'completed'
    assert support.SERVER_TIME.fullmatch(completed['event_complete_time'])
    assert completed['vm_uuid_list'] == ''

    result = sidecar('evacuates-event-delete', '--id', event_id, env=env)
    assert support.succeeded(result) == ''
    with pytest.raises(exceptions.NotFound):
        admin.events.detail(event_id)

    result = sidecar('evacuates-event-detail', '--id', event_id, env=env)
    support.failed(result, f'ERROR: Event {event_id} not found (HTTP 404)')


def test_list_filters(env: dict[str, str], admin: client.Client) -> None:
    node = support.unique_node()
    first, second, third = (
        admin.events.create(support.unique_name('legacy'), node)
        for _ in range(3)
    )
    admin.events.edit(second.id, event_status='running')
    newest_first = [third.id, second.id, first.id]

    def ids(*filters: str) -> list[str]:
        return listed_ids(sidecar('evacuates-events-list', *filters,
                                  env=env))

    rows = support.parse_table(support.succeeded(sidecar(
        'evacuates-events-list', '--node-uuid', node, env=env,
    )))
    assert [list(row) for row in rows] == [EVENT_FIELDS] * 3
    assert [row['id'] for row in rows] == newest_first
    assert rows[1] == as_table(admin.events.detail(second.id))

    assert ids('--node-uuid', node, '--event-status', 'running') == [
        second.id
    ]
    assert ids('--node-uuid', node, '--limit', '2') == newest_first[:2]
    assert ids('--node-uuid', node, '--marker', third.id) == [
        second.id, first.id
    ]
    assert ids('--id', first.id) == [first.id]
    assert ids('--name', first.name.upper()) == [first.id]
    assert ids(
        '--node-uuid', node,
        '--min-event-create-time', first.event_create_time,
        '--max-event-create-time', third.event_create_time,
    ) == newest_first
    # ISO 8601 is accepted too.
    assert ids(
        '--node-uuid', node, '--event-create-time',
        first.event_create_time.replace(' ', 'T'),
    ) == [
        event.id for event in (third, second, first)
        if event.event_create_time == first.event_create_time
    ]


def test_list_with_no_match_prints_an_empty_table(
    env: dict[str, str],
) -> None:
    output = support.succeeded(sidecar(
        'evacuates-events-list', '--node-uuid', support.unique_node(),
        env=env,
    ))

    assert support.parse_table(output) == []
    assert support.headings(output) == EVENT_FIELDS


def test_list_walks_every_page(stack: Any,
                               reference_server_factory: Any) -> None:
    server = reference_server_factory(noauth=True)
    newest_first = support.fill(server.endpoint, 65)
    env = stack.cloud_env()
    del env['OS_CLIENT_CONFIG_FILE']
    noauth = ['--os-auth-token', 'unused', '--os-endpoint', server.endpoint]

    assert listed_ids(
        sidecar(*noauth, 'evacuates-events-list', env=env)
    ) == newest_first
    assert listed_ids(
        sidecar(*noauth, 'evacuates-events-list', '--limit', '31', env=env)
    ) == newest_first[:31]
    assert listed_ids(sidecar(
        *noauth, 'evacuates-events-list', '--marker', newest_first[29],
        '--limit', '31', env=env,
    )) == newest_first[30:61]


def test_all_versions(stack: Any) -> None:
    # Without OS_AUTH_VERSION the Identity version is discovered.
    env = stack.env('admin')
    assert 'OS_AUTH_VERSION' not in env

    rows = support.parse_table(support.succeeded(sidecar(
        'all-versions', env=env,
    )))

    assert rows == [
        {'version': 'v2', 'status': 'current', 'date': support.V2_DATE}
    ]


def test_original_variable_names(stack: Any) -> None:
    # The original tool documented OS_USER_NAME and OS_USER_PASSWORD.
    env = stack.env('admin', OS_AUTH_VERSION='3')
    env['OS_USER_NAME'] = env.pop('OS_USERNAME')
    env['OS_USER_PASSWORD'] = env.pop('OS_PASSWORD')

    result = sidecar(
        '--os-enpoint-type', 'publicURL', 'evacuates-events-list', '--id',
        uuid.uuid4().hex, env=env,
    )

    assert support.parse_table(support.succeeded(result)) == []


def test_token_and_endpoint_without_keystone(
    stack: Any, admin: client.Client
) -> None:
    event = admin.events.create(support.unique_name('legacy'), 'node')
    env = stack.env('admin')
    # Nothing would lead to Keystone: the token goes to Sidecar as is.
    for name in ('OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD'):
        del env[name]

    result = sidecar(
        '--os-auth-token', stack.token('admin'),
        '--os-endpoint', stack.sidecar_endpoint,
        'evacuates-event-detail', '--id', event.id, env=env,
    )

    assert support.parse_fields(support.succeeded(result)) == as_table(event)


def test_delete_of_an_unfinished_event(env: dict[str, str],
                                       admin: client.Client) -> None:
    event = admin.events.create(support.unique_name('legacy'), 'node')

    result = sidecar('evacuates-event-delete', '--id', event.id, env=env)

    support.failed(
        result,
        f'ERROR: Cannot delete event {event.id}: Event {event.id} is '
        f'created: only a completed event can be deleted. (HTTP 403) '
        f'(Request-ID: req-',
    )
    assert admin.events.detail(event.id) == event


def test_create_with_a_taken_name(env: dict[str, str],
                                  admin: client.Client) -> None:
    taken = admin.events.create(support.unique_name('legacy'), 'node')
    shouting = taken.name.upper()

    result = sidecar(
        'evacuates-event-create', '--name', shouting, '--node-uuid', 'n',
        env=env,
    )

    support.failed(
        result,
        f"ERROR: Cannot create event '{shouting}': There is already an "
        f'event named {shouting} (HTTP 409)',
    )


def test_bad_value_is_refused_before_sending(stack: Any) -> None:
    # Nothing listens on port 9: a request would fail with exit 1.
    env = stack.env('admin')

    result = sidecar(
        '--os-endpoint', 'http://127.0.0.1:9/v2',
        'evacuates-event-create', '--name', 'x!', '--node-uuid', 'n',
        env=env,
    )

    support.failed(
        result,
        "sidecar evacuates-event-create: error: --name 'x!' must be 3 to "
        '100 characters long',
        code=2,
    )


def test_bash_completion(env: dict[str, str]) -> None:
    words = support.succeeded(sidecar('bash-completion', env=env)).split()

    assert words[:len(SUBCOMMANDS)] == SUBCOMMANDS
    for option in (
        '--os-username', '--os-password', '--os-auth-url',
        '--os-project-name', '--os-user-domain-name', '--os-auth-token',
        '--os-endpoint', '--os-region-name', '--name', '--node-uuid',
        '--vm-uuid-list', '--event-status', '--marker', '--limit', '--id',
    ):
        assert option in words
    assert len(words) == len(set(words))


def test_help(env: dict[str, str]) -> None:
    output = support.succeeded(sidecar('help', env=env))

    assert output.startswith('usage: sidecar')
    for subcommand in SUBCOMMANDS:
        assert f'    {subcommand} ' in output
    assert 'See "sidecar help COMMAND"' in output
    # No arguments at all: the same help.
    assert support.succeeded(sidecar(env=env)) == output


@pytest.mark.parametrize(
    'subcommand, options',
    [
        ('evacuates-events-list',
         ['--id', '--name', '--node-uuid', '--event-status', '--marker',
          '--limit', '--min-event-create-time']),
        ('evacuates-event-create',
         ['--name', '--node-uuid', '--vm-uuid-list']),
        ('evacuates-event-detail', ['--id']),
        ('evacuates-event-edit',
         ['--id', '--name', '--node-uuid', '--event-status',
          '--vm-uuid-list']),
        ('evacuates-event-delete', ['--id']),
        ('all-versions', []),
        ('bash-completion', []),
    ],
)
def test_help_of_a_subcommand(env: dict[str, str], subcommand: str,
                              options: list[str]) -> None:
    output = support.succeeded(sidecar('help', subcommand, env=env))

    assert output.startswith(f'usage: sidecar {subcommand}')
    for option in options:
        assert option in output


def test_help_of_an_unknown_subcommand(env: dict[str, str]) -> None:
    support.failed(
        sidecar('help', 'evacuate', env=env),
        "'evacuate' is not a sidecar subcommand",
        code=2,
    )


def test_version(env: dict[str, str]) -> None:
    output = support.succeeded(sidecar('--version', env=env))

    # Not compared with sidecarclient.version_string() here: under
    # pytest the repository root is on sys.path, and a stale
    # *.egg-info there would answer instead of the installed package.
    assert re.fullmatch(r'\d+\.\d+\.\d+(\.dev\d+)?\n', output)
