"""The subcommands of the legacy ``sidecar`` shell that call the service.

:mod:`sidecarclient.shell` parses the command line and imports this
module only when one of these subcommands runs. Each subcommand builds
the library client from the global options, calls it, and prints a
table. Values the client rejects become a :class:`UsageError`, failures
of the service or of Keystone a :class:`CommandFailed` whose text is
the one line the user sees.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import prettytable
from keystoneauth1 import exceptions as ksa_exc

from sidecarclient import exceptions
from sidecarclient.common import validation
from sidecarclient.shell_errors import describe
from sidecarclient.v2 import client as v2_client
from sidecarclient.v2 import events as v2_events

# Columns of the event list and rows of a single event, in this order;
# any other field a newer server sends is shown after them.
EVENT_FIELDS = (
    'id',
    'name',
    'event_status',
    'node_uuid',
    'event_create_time',
    'event_complete_time',
    'vm_uuid_list',
    'extra',
)
VERSION_FIELDS = ('version', 'status', 'date')

_DEBUG_FORMAT = '%(asctime)s %(levelname)s %(name)s %(message)s'


class UsageError(Exception):
    """A missing option or a value the client refused; nothing was sent.

    ``global_options`` tells whether the fault is in the options shared by
    every subcommand rather than in the subcommand's own.
    """

    def __init__(self, message: str, global_options: bool = False) -> None:
        super().__init__(message)
        self.global_options = global_options


class CommandFailed(Exception):
    """The service or Keystone refused or failed; ``str()`` says why."""


Command = Callable[[v2_client.Client, argparse.Namespace], None]


# Client and failures


def _given(value: str | None) -> bool:
    return value not in (None, '')


def _check_auth_options(args: argparse.Namespace) -> None:
    """Name the missing authentication options the way the user sets them.

    The library checks the same, but in terms of its own arguments.
    """
    if _given(args.os_auth_token):
        if not _given(args.os_endpoint) and not _given(args.os_auth_url):
            raise UsageError(
                '--os-auth-url (env[OS_AUTH_URL]) is required with '
                '--os-auth-token unless --os-endpoint is given'
            )
        return
    missing = []
    if not _given(args.os_auth_url):
        missing.append('--os-auth-url (env[OS_AUTH_URL])')
    if not _given(args.os_username) and not _given(args.os_user_id):
        missing.append('--os-username (env[OS_USERNAME]) or --os-user-id '
                       '(env[OS_USER_ID])')
    if not _given(args.os_password):
        missing.append('--os-password (env[OS_PASSWORD])')
    if missing:
        raise UsageError(
            'missing authentication options: ' + ', '.join(missing)
            + '; or give --os-auth-token'
        )


def make_client(args: argparse.Namespace) -> v2_client.Client:
    """Build the library client from the global options.

    :raises UsageError: an option is missing or not valid.
    """
    try:
        return _make_client(args)
    except exceptions.ValidationError as exc:
        raise UsageError(str(exc), global_options=True) from exc
    except UsageError as exc:
        exc.global_options = True
        raise


def _make_client(args: argparse.Namespace) -> v2_client.Client:
    _check_auth_options(args)
    if _given(args.os_cacert) and not os.path.isfile(args.os_cacert):
        raise UsageError(f'--os-cacert: no such file: {args.os_cacert}')
    return v2_client.Client(
        username=args.os_username,
        user_id=args.os_user_id,
        password=args.os_password,
        tenant_id=args.os_tenant_id,
        tenant_name=args.os_tenant_name,
        project_id=args.os_project_id,
        project_name=args.os_project_name,
        project_domain_id=args.os_project_domain_id,
        project_domain_name=args.os_project_domain_name,
        user_domain_id=args.os_user_domain_id,
        user_domain_name=args.os_user_domain_name,
        auth_token=args.os_auth_token,
        auth_url=args.os_auth_url,
        auth_version=args.os_auth_version,
        endpoint=args.os_endpoint,
        endpoint_type=args.os_endpoint_type,
        region_name=args.os_region_name,
        timeout=args.os_timeout,
        insecure=args.os_insecure or False,
        cacert=args.os_cacert,
    )


@contextlib.contextmanager
def _failing(
    args: argparse.Namespace, action: str, event_id: str | None = None
) -> Iterator[None]:
    """Turn a failure of the service into :class:`CommandFailed`.

    ``action`` starts the message ("Cannot list events"); ``event_id``
    names the event a 404 is about.
    """
    try:
        yield
    except exceptions.ValidationError:
        raise
    except ksa_exc.ClientException as exc:
        raise CommandFailed(
            describe(exc, action, event_id=event_id,
                     auth_url=args.os_auth_url)
        ) from exc


# Output


def _cell(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return '\n'.join(value)
    return json.dumps(value, sort_keys=True)


def _table(columns: Iterable[str]) -> prettytable.PrettyTable:
    table = prettytable.PrettyTable(list(columns))
    table.align = 'l'
    return table


def print_list(rows: Iterable[dict[str, Any]],
               columns: tuple[str, ...]) -> None:
    """Print one table row per item, one column per field."""
    table = _table(columns)
    for row in rows:
        table.add_row([_cell(row.get(column)) for column in columns])
    print(table.get_string())


def print_event(event: v2_events.Event) -> None:
    """Print one event as "Field Name | Value" rows."""
    info = event.to_dict()
    names = list(EVENT_FIELDS)
    names += sorted(name for name in info if name not in EVENT_FIELDS)
    table = _table(('Field Name', 'Value'))
    for name in names:
        table.add_row([name, _cell(info.get(name))])
    print(table.get_string())


# Subcommands


def _vm_list(value: str | None) -> list[str] | None:
    """``a, b,c`` -> ``['a', 'b', 'c']``; an empty string, no instances."""
    if value is None:
        return None
    if not value.strip():
        return []
    return [vm.strip() for vm in value.split(',')]


def _checked(
    check: Callable[[Any, str], Any], value: Any, option: str
) -> Any:
    """Check ``value`` with the library's rule, naming the option typed."""
    return None if value is None else check(value, option)


def all_versions(client: v2_client.Client, args: argparse.Namespace) -> None:
    with _failing(args, 'Cannot list the API versions'):
        versions = client.versions.list()
    print_list((v.to_dict() for v in versions), VERSION_FIELDS)


def events_list(client: v2_client.Client, args: argparse.Namespace) -> None:
    text, time = validation.require_text, validation.event_time
    found = client.events.list(
        id=_checked(text, args.id, '--id'),
        name=_checked(text, args.name, '--name'),
        node_uuid=_checked(text, args.node_uuid, '--node-uuid'),
        event_status=args.event_status,
        event_create_time=_checked(
            time, args.event_create_time, '--event-create-time'),
        min_event_create_time=_checked(
            time, args.min_event_create_time, '--min-event-create-time'),
        max_event_create_time=_checked(
            time, args.max_event_create_time, '--max-event-create-time'),
        marker=_checked(text, args.marker, '--marker'),
        limit=_checked(validation.limit, args.limit, '--limit'),
    )
    with _failing(args, 'Cannot list events'):
        # The pages are fetched while iterating.
        events = [event.to_dict() for event in found]
    print_list(events, EVENT_FIELDS)


def event_create(client: v2_client.Client,
                 args: argparse.Namespace) -> None:
    with _failing(args, f'Cannot create event {args.name!r}'):
        event = client.events.create(
            name=validation.event_name(args.name, '--name'),
            node_uuid=validation.require_text(
                args.node_uuid, '--node-uuid'),
            vm_uuid_list=_vm_list(args.vm_uuid_list),
        )
    print_event(event)


def event_detail(client: v2_client.Client,
                 args: argparse.Namespace) -> None:
    with _failing(args, f'Cannot show event {args.id}', event_id=args.id):
        event = client.events.detail(args.id)
    print_event(event)


def event_edit(client: v2_client.Client, args: argparse.Namespace) -> None:
    changes = {
        'name': _checked(validation.event_name, args.name, '--name'),
        'node_uuid': _checked(
            validation.require_text, args.node_uuid, '--node-uuid'),
        'event_status': args.event_status,
        'vm_uuid_list': _vm_list(args.vm_uuid_list),
    }
    if all(value is None for value in changes.values()):
        raise UsageError(
            'nothing to change: give at least one of --name, --node-uuid, '
            '--event-status, --vm-uuid-list'
        )
    with _failing(args, f'Cannot edit event {args.id}', event_id=args.id):
        client.events.edit(args.id, **changes)
    with _failing(args, f'Event {args.id} was changed, but reading it '
                        f'back failed', event_id=args.id):
        event = client.events.detail(args.id)
    print_event(event)


def event_delete(client: v2_client.Client,
                 args: argparse.Namespace) -> None:
    with _failing(args, f'Cannot delete event {args.id}', event_id=args.id):
        client.events.delete(args.id)


COMMANDS: dict[str, Command] = {
    'all-versions': all_versions,
    'evacuates-events-list': events_list,
    'evacuates-event-create': event_create,
    'evacuates-event-detail': event_detail,
    'evacuates-event-edit': event_edit,
    'evacuates-event-delete': event_delete,
}


# Running


@contextlib.contextmanager
def _logging(debug: bool) -> Iterator[None]:
    """Log everything to standard error with --debug, else nothing.

    Without --debug, failures reach the user as exceptions; warnings
    logged on the way (keystoneauth's discovery fallbacks, urllib3's
    insecure-request warning) would only repeat them less clearly.
    """
    root = logging.getLogger()
    if debug:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_DEBUG_FORMAT))
    else:
        handler = logging.NullHandler()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.setLevel(level)
        root.removeHandler(handler)


def run(args: argparse.Namespace) -> None:
    """Run the subcommand ``args.command``.

    :raises UsageError: an option is missing or a value is not valid;
        nothing was sent.
    :raises CommandFailed: the service or Keystone refused or failed.
    """
    command = COMMANDS[args.command]
    with _logging(args.debug):
        client = make_client(args)
        try:
            with client:
                command(client, args)
        except exceptions.ValidationError as exc:
            raise UsageError(str(exc)) from exc
