"""What each front end says when the stack says no, or is not there.

A user without the admin role, a region or interface the catalog has no
Sidecar endpoint for, a wrong password, and a Sidecar server that does
not answer: each gets one clear message and exit status 1 from both
command lines, with no traceback, and a specific exception from the
library.

The API notes that deployed servers let any authenticated user through
despite their policy; the reference server enforces it, so here the
non-admin user is refused.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sidecarclient import client
from sidecarclient import exceptions
from tests.functional import support

ADMIN_REQUIRED = 'the admin role is required.'


@pytest.fixture(scope='module', autouse=True)
def _sweep(stack: Any) -> Iterator[None]:
    yield
    support.sweep(stack)


def openstack(*args: str, env: dict[str, str]) -> (
    subprocess.CompletedProcess[str]
):
    return support.run(support.OPENSTACK, *args, env=env)


def sidecar(*args: str, env: dict[str, str]) -> (
    subprocess.CompletedProcess[str]
):
    return support.run(support.SIDECAR, *args, env=env)


def policy(action: str) -> str:
    return (
        f"Policy doesn't allow sidecar:event:{action} to be performed: "
        f'{ADMIN_REQUIRED} (HTTP 403)'
    )


# -- A user without the admin role -------------------------------------------


@pytest.fixture(scope='module')
def admins_event(stack: Any) -> Any:
    with support.password_client(stack) as admin:
        return admin.events.create(support.unique_name('neg'), 'node')


@pytest.mark.parametrize(
    'action, call',
    [
        ('list', lambda events, event: list(events.list())),
        ('create', lambda events, event: events.create(
            support.unique_name('neg'), 'node')),
        ('show', lambda events, event: events.detail(event.id)),
        ('edit', lambda events, event: events.edit(
            event.id, event_status='completed')),
        ('delete', lambda events, event: events.delete(event.id)),
    ],
    ids=['list', 'create', 'detail', 'edit', 'delete'],
)
def test_non_admin_is_forbidden_in_the_library(
    stack: Any, admins_event: Any, action: str,
    call: Callable[[Any, Any], Any],
) -> None:
    demo = support.password_client(stack, user='demo')

    with pytest.raises(exceptions.Forbidden) as excinfo:
        call(demo.events, admins_event)

    assert excinfo.value.http_status == 403
    assert policy(action) in str(excinfo.value)
    assert excinfo.value.request_id in str(excinfo.value)
    with support.password_client(stack) as admin:
        assert admin.events.detail(admins_event.id) == admins_event


def test_non_admin_may_read_the_versions(stack: Any) -> None:
    demo = support.password_client(stack, user='demo')

    assert [v.version for v in demo.versions.list()] == ['v2']


def test_non_admin_is_forbidden_in_openstack(stack: Any) -> None:
    result = openstack('sidecar', 'event', 'list', env=stack.env('demo'))

    support.failed(result, policy('list'), '(Request-ID: req-')
    assert result.stdout == ''


def test_non_admin_is_forbidden_in_sidecar(stack: Any,
                                           admins_event: Any) -> None:
    env = stack.env('demo', OS_AUTH_VERSION='3')

    support.failed(
        sidecar('evacuates-events-list', env=env),
        f"ERROR: Cannot list events: {policy('list')}",
    )
    name = support.unique_name('neg')
    support.failed(
        sidecar('evacuates-event-create', '--name', name, '--node-uuid',
                'n', env=env),
        f"ERROR: Cannot create event '{name}': {policy('create')}",
    )
    support.failed(
        sidecar('evacuates-event-delete', '--id', admins_event.id, env=env),
        f"ERROR: Cannot delete event {admins_event.id}: "
        f"{policy('delete')}",
    )
    # Version discovery needs no role.
    support.succeeded(sidecar('all-versions', env=env))


# -- No endpoint for the region or interface ---------------------------------


@pytest.mark.parametrize(
    'where, expected',
    [
        ({'region_name': 'Nowhere'},
         "No 'sidecar' endpoint with interface 'public' in region "
         "'Nowhere' of the service catalog"),
        ({'interface': 'admin'},
         "No 'sidecar' endpoint with interface 'admin' in region "
         "'RegionOne' of the service catalog"),
        ({'endpoint_type': 'adminURL', 'region_name': 'Nowhere'},
         "No 'sidecar' endpoint with interface 'admin' in region "
         "'Nowhere' of the service catalog"),
    ],
    ids=['region', 'interface', 'both'],
)
def test_no_endpoint_in_the_library(stack: Any, where: dict[str, str],
                                    expected: str) -> None:
    lib = support.password_client(stack, **where)

    for call in (lambda: list(lib.events.list()), lib.versions.list):
        with pytest.raises(exceptions.EndpointNotFound) as excinfo:
            call()
        assert expected in str(excinfo.value)


def test_internal_interface_is_in_the_catalog(stack: Any) -> None:
    # The negative cases above are about the interface, not any
    # interface but public: the stack registers internal as well.
    lib = support.password_client(stack, endpoint_type='internalURL')

    assert [v.version for v in lib.versions.list()] == ['v2']


def test_no_endpoint_in_openstack(stack: Any) -> None:
    env = stack.env('admin')

    support.failed(
        openstack('sidecar', 'event', 'list',
                  env=dict(env, OS_REGION_NAME='Nowhere')),
        'No Sidecar endpoint in the service catalog',
        'public endpoint for sidecar service in Nowhere region not found',
        '--os-region-name',
    )
    # Given as an option, OpenStackClient itself checks the region
    # against the regions Keystone knows, before any command runs.
    support.failed(
        openstack('--os-region-name', 'Nowhere', 'sidecar', 'event', 'list',
                  env=env),
        'Region Nowhere is not a valid region name',
    )
    support.failed(
        openstack('--os-interface', 'admin', 'sidecar', 'version', 'list',
                  env=env),
        'No Sidecar endpoint in the service catalog',
        'admin endpoint for sidecar service in RegionOne region not found',
        '--os-interface',
    )


def test_no_endpoint_in_sidecar(stack: Any) -> None:
    env = stack.env('admin', OS_AUTH_VERSION='3')

    support.failed(
        sidecar('--os-region-name', 'Nowhere', 'evacuates-events-list',
                env=env),
        "ERROR: Cannot list events: No 'sidecar' endpoint with interface "
        "'public' in region 'Nowhere' of the service catalog",
    )
    support.failed(
        sidecar('--os-endpoint-type', 'adminURL', 'all-versions', env=env),
        "ERROR: Cannot list the API versions: No 'sidecar' endpoint with "
        "interface 'admin' in region 'RegionOne' of the service catalog",
    )


# -- Keystone refuses the password -------------------------------------------


def test_wrong_password(stack: Any) -> None:
    message = 'The request you have made requires authentication. (HTTP 401)'
    lib = support.password_client(stack, password='wrong')

    with pytest.raises(exceptions.Unauthorized, match=r'\(HTTP 401\)'):
        list(lib.events.list())

    env = stack.env('admin', OS_PASSWORD='wrong', OS_AUTH_VERSION='3')
    support.failed(
        sidecar('evacuates-events-list', env=env),
        f'ERROR: Keystone refused the request: {message}',
    )
    support.failed(
        openstack('sidecar', 'event', 'list', env=env), message,
    )


# -- The Sidecar server does not answer --------------------------------------


def test_stopped_server(stack: Any, stopped_sidecar: str) -> None:
    events_url = f'{stopped_sidecar}/evacuates/events'
    root_url = stack.sidecar_url + '/'

    # The library: the catalog leads to the endpoint, nothing answers.
    with support.password_client(stack, retry_delay=0) as lib:
        with pytest.raises(exceptions.ConnectFailure) as excinfo:
            list(lib.events.list())
        assert events_url in str(excinfo.value)
        assert 'Connection refused' in str(excinfo.value)
        # Not sent at all, so not an ambiguous create.
        with pytest.raises(exceptions.ConnectFailure) as excinfo:
            lib.events.create(support.unique_name('neg'), 'node')
        assert not isinstance(excinfo.value, exceptions.AmbiguousCreate)
        assert events_url in str(excinfo.value)
        with pytest.raises(exceptions.ConnectFailure, match=root_url):
            lib.versions.list()

    env = stack.env('admin', OS_AUTH_VERSION='3')
    support.failed(
        sidecar('evacuates-events-list', env=env),
        f'ERROR: Cannot list events: cannot connect to {events_url}: '
        f'Connection refused',
    )
    support.failed(
        sidecar('all-versions', env=env),
        f'ERROR: Cannot list the API versions: cannot connect to '
        f'{root_url}: Connection refused',
    )

    result = openstack('sidecar', 'event', 'list', env=stack.env('admin'))
    stderr = support.failed(result, events_url, 'Connection refused')
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_stopped_server_without_auth(
    stack: Any, reference_server_factory: Any
) -> None:
    server = reference_server_factory(noauth=True)
    server.stop()
    events_url = f'{server.endpoint}/evacuates/events'
    env = stack.cloud_env()
    del env['OS_CLIENT_CONFIG_FILE']

    lib = client.Client(auth_token='unused', endpoint=server.endpoint,
                        retries=0)
    with pytest.raises(exceptions.ConnectFailure, match=events_url):
        lib.events.detail('f' * 32)

    support.failed(
        sidecar('--os-auth-token', 'unused', '--os-endpoint',
                server.endpoint, 'evacuates-event-detail', '--id', 'f' * 32,
                env=env),
        f'cannot connect to {events_url}/{"f" * 32}: Connection refused',
    )
    support.failed(
        openstack('--os-auth-type', 'none', '--os-endpoint', server.endpoint,
                  'sidecar', 'event', 'list', env=env),
        events_url, 'Connection refused',
    )
