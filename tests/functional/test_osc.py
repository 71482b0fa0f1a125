"""``openstack sidecar ...`` as an operator runs it, against the stack.

Each command runs as a subprocess of the real ``openstack`` program, the
way OpenStackClient loads the plugin: with the variables of the stack's
openrc, with ``--os-cloud`` and the stack's clouds.yaml, and without
authentication against the no-auth server. Output is read with
``-f json`` and checked against what the library sees on the server.
Each run costs a second or two, so each test walks several steps.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sidecarclient import client
from sidecarclient import exceptions
from tests.functional import support

SHOW_FIELDS = {
    'id',
    'name',
    'event_status',
    'node_uuid',
    'vm_uuid_list',
    'event_create_time',
    'event_complete_time',
    'extra',
}
LIST_COLUMNS = ['ID', 'Name', 'Status', 'Node', 'Created At']
LONG_COLUMNS = LIST_COLUMNS + ['Completed At', 'VMs', 'Extra']


@pytest.fixture(scope='module', autouse=True)
def _sweep(stack: Any) -> Iterator[None]:
    yield
    support.sweep(stack)


def openstack(*args: str, env: dict[str, str]) -> (
    subprocess.CompletedProcess[str]
):
    return support.run(support.OPENSTACK, *args, env=env)


def no_auth_env(stack: Any) -> dict[str, str]:
    """No ``OS_*`` variable and no clouds.yaml: only the options count."""
    env = stack.cloud_env()
    del env['OS_CLIENT_CONFIG_FILE']
    return env


@pytest.fixture(scope='module')
def admin(stack: Any) -> Iterator[client.Client]:
    with support.password_client(stack) as sidecar:
        yield sidecar


def assert_shown(shown: dict[str, Any], expected: dict[str, Any]) -> None:
    """An event as ``create``/``show -f json`` print it."""
    assert set(shown) == SHOW_FIELDS
    assert support.EVENT_ID.fullmatch(shown['id'])
    assert support.SERVER_TIME.fullmatch(shown['event_create_time'])
    for key, value in expected.items():
        assert shown[key] == value, key


def test_event_lifecycle_with_openrc(stack: Any,
                                     admin: client.Client) -> None:
    env = stack.env('admin')
    name, node = support.unique_name('osc'), support.unique_node()

    created = support.json_output(openstack(
        'sidecar', 'event', 'create', name, '--node', node,
        '--vm', 'vm-1', '--vm', 'vm-2', '-f', 'json', env=env,
    ))
    assert_shown(created, {
        'name': name, 'node_uuid': node, 'event_status': 'created',
        'vm_uuid_list': ['vm-1', 'vm-2'], 'event_complete_time': None,
        'extra': None,
    })
    event_id = created['id']
    # What the command printed is what the server holds.
    assert admin.events.detail(event_id).to_dict() == created

    # By name in another letter case (the ID is tried first).
    assert support.json_output(openstack(
        'sidecar', 'event', 'show', name.upper(), '-f', 'json', env=env,
    )) == created

    listed = support.json_output(openstack(
        'sidecar', 'event', 'list', '--node', node, '-f', 'json', env=env,
    ))
    assert listed == [{
        'ID': event_id, 'Name': name, 'Status': 'created', 'Node': node,
        'Created At': created['event_create_time'],
    }]

    new_name = support.unique_name('osc')
    result = openstack(
        'sidecar', 'event', 'set', name, '--name', new_name,
        '--status', 'running', '--vm', 'vm-3', env=env,
    )
    assert support.succeeded(result) == ''
    # --vm adds to the instances already there.
    assert admin.events.detail(event_id).to_dict() == dict(
        created, name=new_name, event_status='running',
        vm_uuid_list=['vm-1', 'vm-2', 'vm-3'],
    )

    support.succeeded(openstack(
        'sidecar', 'event', 'set', event_id, '--status', 'completed',
        '--no-vm', env=env,
    ))
    listed = support.json_output(openstack(
        'sidecar', 'event', 'list', '--node', node, '--status', 'completed',
        '--long', '-f', 'json', env=env,
    ))
    assert [list(row) for row in listed] == [LONG_COLUMNS]
    row = listed[0]
    assert (row['ID'], row['Name'], row['Status'], row['VMs']) == (
        event_id, new_name, 'completed', []
    )
    assert support.SERVER_TIME.fullmatch(row['Completed At'])
    assert row['Extra'] is None

    result = openstack('sidecar', 'event', 'delete', new_name, env=env)
    assert support.succeeded(result) == ''
    with pytest.raises(exceptions.NotFound):
        admin.events.detail(event_id)
    support.failed(
        openstack('sidecar', 'event', 'show', event_id, env=env),
        f"No event with a name or ID of '{event_id}' exists.",
    )


def test_version_list_with_openrc(stack: Any) -> None:
    versions = support.json_output(openstack(
        'sidecar', 'version', 'list', '-f', 'json', env=stack.env('admin'),
    ))

    assert versions == [
        {'Version': 'v2', 'Date': support.V2_DATE, 'Status': 'current'}
    ]


def test_delete_goes_on_after_failures(stack: Any,
                                       admin: client.Client) -> None:
    node = support.unique_node()
    unfinished = admin.events.create(support.unique_name('osc'), node)
    finished = admin.events.create(support.unique_name('osc'), node)
    admin.events.edit(finished.id, event_status='completed')
    missing = support.unique_name('osc')

    result = openstack(
        'sidecar', 'event', 'delete', unfinished.id, finished.name, missing,
        env=stack.env('admin'),
    )

    support.failed(
        result,
        f"Failed to delete event '{unfinished.id}': Event {unfinished.id} "
        f'is created: only a completed event can be deleted. (HTTP 403)',
        f"Failed to delete event '{missing}': No event with a name or ID "
        f"of '{missing}' exists.",
        '2 of 3 events failed to delete.',
    )
    assert [e.id for e in admin.events.list(node_uuid=node)] == [
        unfinished.id
    ]


def test_create_with_a_taken_name(stack: Any, admin: client.Client) -> None:
    taken = admin.events.create(support.unique_name('osc'), 'node')

    result = openstack(
        'sidecar', 'event', 'create', taken.name.upper(), '--node', 'n',
        env=stack.env('admin'),
    )

    support.failed(
        result,
        f'There is already an event named {taken.name.upper()} (HTTP 409)',
    )


def test_event_lifecycle_with_os_cloud(stack: Any,
                                       admin: client.Client) -> None:
    env = stack.cloud_env()
    cloud = ['--os-cloud', stack.info['clouds']['admin']]
    name, node = support.unique_name('cloud'), support.unique_node()

    created = support.json_output(openstack(
        *cloud, 'sidecar', 'event', 'create', name, '--node', node,
        '-f', 'json', env=env,
    ))
    assert_shown(created, {
        'name': name, 'node_uuid': node, 'event_status': 'created',
        'vm_uuid_list': [],
    })
    assert admin.events.detail(created['id']).to_dict() == created

    support.succeeded(openstack(
        *cloud, 'sidecar', 'event', 'set', created['id'],
        '--status', 'completed', env=env,
    ))
    listed = support.json_output(openstack(
        *cloud, 'sidecar', 'event', 'list', '--node', node, '--long',
        '-f', 'json', env=env,
    ))
    assert [(row['ID'], row['Status']) for row in listed] == [
        (created['id'], 'completed')
    ]
    assert support.SERVER_TIME.fullmatch(listed[0]['Completed At'])

    support.succeeded(openstack(
        *cloud, 'sidecar', 'event', 'delete', created['id'], env=env,
    ))
    assert list(admin.events.list(node_uuid=node)) == []


def test_without_auth_against_the_no_auth_server(stack: Any) -> None:
    env = no_auth_env(stack)
    noauth = ['--os-auth-type', 'none', '--os-endpoint', stack.noauth_endpoint]
    name, node = support.unique_name('noauth'), support.unique_node()

    created = support.json_output(openstack(
        *noauth, 'sidecar', 'event', 'create', name, '--node', node,
        '--vm', 'vm-1', '-f', 'json', env=env,
    ))
    assert_shown(created, {
        'name': name, 'node_uuid': node, 'event_status': 'created',
        'vm_uuid_list': ['vm-1'],
    })
    # It went to the no-auth server, which holds it.
    on_server = requests.get(
        f"{stack.noauth_endpoint}/evacuates/events/{created['id']}",
        timeout=30,
    )
    assert on_server.status_code == 200
    assert on_server.json() == {'event': created}

    support.succeeded(openstack(
        *noauth, 'sidecar', 'event', 'set', name, '--status', 'completed',
        env=env,
    ))
    listed = support.json_output(openstack(
        *noauth, 'sidecar', 'event', 'list', '--node', node, '-f', 'json',
        env=env,
    ))
    assert [(row['Name'], row['Status']) for row in listed] == [
        (name, 'completed')
    ]

    support.succeeded(openstack(
        *noauth, 'sidecar', 'event', 'delete', created['id'], env=env,
    ))
    gone = requests.get(
        f"{stack.noauth_endpoint}/evacuates/events/{created['id']}",
        timeout=30,
    )
    assert gone.status_code == 404

    versions = support.json_output(openstack(
        *noauth, 'sidecar', 'version', 'list', '-f', 'json', env=env,
    ))
    assert versions == [
        {'Version': 'v2', 'Date': support.V2_DATE, 'Status': 'current'}
    ]


def test_list_walks_every_page(stack: Any,
                               reference_server_factory: Any) -> None:
    server = reference_server_factory(noauth=True)
    newest_first = support.fill(server.endpoint, 65)
    noauth = ['--os-auth-type', 'none', '--os-endpoint', server.endpoint]

    listed = support.json_output(openstack(
        *noauth, 'sidecar', 'event', 'list', '-f', 'json',
        env=no_auth_env(stack),
    ))

    assert [row['ID'] for row in listed] == newest_first
    assert listed[0]['Name'] == 'page-064'

    listed = support.json_output(openstack(
        *noauth, 'sidecar', 'event', 'list', '--marker', newest_first[9],
        '--limit', '40', '-f', 'json', env=no_auth_env(stack),
    ))
    assert [row['ID'] for row in listed] == newest_first[10:50]


def test_show_of_an_unknown_event_without_auth(stack: Any) -> None:
    missing = uuid.uuid4().hex

    result = openstack(
        '--os-auth-type', 'none', '--os-endpoint', stack.noauth_endpoint,
        'sidecar', 'event', 'show', missing, env=no_auth_env(stack),
    )

    support.failed(result, f"No event with a name or ID of '{missing}'")
