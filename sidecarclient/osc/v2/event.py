"""``openstack sidecar event ...``: evacuation events."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cliff import columns
from osc_lib import exceptions as osc_exceptions
from osc_lib.cli import format_columns
from osc_lib.command import command

from sidecarclient import exceptions
from sidecarclient.common import validation

if TYPE_CHECKING:
    from sidecarclient.v2 import client as v2_client
    from sidecarclient.v2 import events

LOG = logging.getLogger(__name__)

TIME_HELP = 'YYYY-MM-DD HH:MM:SS, or ISO 8601 such as 2016-09-02T14:32:17'

# (heading, Event attribute) of each column of "event list".
LIST_COLUMNS = (
    ('ID', 'id'),
    ('Name', 'name'),
    ('Status', 'event_status'),
    ('Node', 'node_uuid'),
    ('Created At', 'event_create_time'),
)
LONG_LIST_COLUMNS = LIST_COLUMNS + (
    ('Completed At', 'event_complete_time'),
    ('VMs', 'vm_uuid_list'),
    ('Extra', 'extra'),
)
# The fields "event show" and "event create" print, named as in the API.
SHOW_FIELDS = (
    'id',
    'name',
    'event_status',
    'node_uuid',
    'vm_uuid_list',
    'event_create_time',
    'event_complete_time',
    'extra',
)


class JSONColumn(columns.FormattableColumn[Any]):
    """Any JSON value: JSON text in a table, the value itself otherwise."""

    def human_readable(self) -> str:
        return json.dumps(self._value, sort_keys=True)


def _extra_column(value: Any) -> Any:
    # ``extra`` is free-form: usually an object, but any JSON value.
    if value is None:
        return None
    if isinstance(value, dict):
        return format_columns.DictColumn(value)
    return JSONColumn(value)


FORMATTERS: dict[str, Callable[[Any], Any]] = {
    'vm_uuid_list': format_columns.ListColumn,
    'extra': _extra_column,
}


def _row(event: events.Event, fields: Sequence[str]) -> tuple[Any, ...]:
    row = []
    for field in fields:
        value = getattr(event, field)
        formatter = FORMATTERS.get(field)
        row.append(value if formatter is None else formatter(value))
    return tuple(row)


def _client(cmd: command.Command) -> v2_client.Client:
    # The attribute is made by sidecarclient.osc.plugin.make_client.
    manager: Any = cmd.app.client_manager
    return manager.sidecar


class ListEvent(command.Lister):
    """List evacuation events, newest first"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--name',
            metavar='<name>',
            help='Only the event with this name (letter case is ignored)',
        )
        parser.add_argument(
            '--node',
            metavar='<node-uuid>',
            help='Only events of this failed host',
        )
        parser.add_argument(
            '--status',
            choices=validation.EVENT_STATUSES,
            help='Only events in this status',
        )
        parser.add_argument(
            '--created-at',
            metavar='<time>',
            help=f'Only events created at exactly this time ({TIME_HELP})',
        )
        parser.add_argument(
            '--created-after',
            metavar='<time>',
            help=f'Only events created at or after this time ({TIME_HELP})',
        )
        parser.add_argument(
            '--created-before',
            metavar='<time>',
            help=f'Only events created at or before this time ({TIME_HELP})',
        )
        parser.add_argument(
            '--marker',
            metavar='<event-id>',
            help='Start after this event (the ID of the last event seen)',
        )
        parser.add_argument(
            '--limit',
            metavar='<num-events>',
            help='Show at most this many events (default: all)',
        )
        parser.add_argument(
            '--long',
            action='store_true',
            default=False,
            help='List additional fields in output',
        )
        return parser

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        # Checked here, before any request, so that a message names the
        # option that was wrong.
        filters: dict[str, Any] = {}
        for key, option, value in (
            ('name', '--name', parsed_args.name),
            ('node_uuid', '--node', parsed_args.node),
            ('marker', '--marker', parsed_args.marker),
        ):
            if value is not None:
                filters[key] = validation.require_text(value, option)
        for key, option, value in (
            ('event_create_time', '--created-at', parsed_args.created_at),
            ('min_event_create_time', '--created-after',
             parsed_args.created_after),
            ('max_event_create_time', '--created-before',
             parsed_args.created_before),
        ):
            if value is not None:
                filters[key] = validation.event_time(value, option)
        if parsed_args.limit is not None:
            filters['limit'] = validation.limit(parsed_args.limit, '--limit')
        if parsed_args.status is not None:
            filters['event_status'] = parsed_args.status

        found = _client(self).events.list(**filters)
        shown = LONG_LIST_COLUMNS if parsed_args.long else LIST_COLUMNS
        fields = [field for _, field in shown]
        # Every page is read before anything is printed, so that a failed
        # request never leaves half a listing behind.
        rows = [_row(event, fields) for event in found]
        return tuple(heading for heading, _ in shown), rows


class CreateEvent(command.ShowOne):
    """Record a new evacuation event"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name',
            metavar='<name>',
            help=(
                'Name of the new event: 3 to 100 letters, digits, spaces, '
                'hyphens or underscores, unique regardless of letter case'
            ),
        )
        parser.add_argument(
            '--node',
            metavar='<node-uuid>',
            required=True,
            help='The failed host (required)',
        )
        parser.add_argument(
            '--vm',
            metavar='<vm-uuid>',
            dest='vms',
            action='append',
            default=[],
            help='An instance being evacuated (repeat for several)',
        )
        return parser

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        # Checked here so that a message names the argument typed.
        event = _client(self).events.create(
            validation.event_name(parsed_args.name, '<name>'),
            validation.require_text(parsed_args.node, '--node'),
            vm_uuid_list=parsed_args.vms,
        )
        return SHOW_FIELDS, _row(event, SHOW_FIELDS)


class ShowEvent(command.ShowOne):
    """Show an evacuation event"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'event',
            metavar='<event>',
            help='Event to show (name or ID)',
        )
        return parser

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        event = _client(self).events.find(parsed_args.event)
        return SHOW_FIELDS, _row(event, SHOW_FIELDS)


class SetEvent(command.Command):
    """Change an evacuation event"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'event',
            metavar='<event>',
            help='Event to change (name or ID)',
        )
        parser.add_argument(
            '--name',
            metavar='<name>',
            help='New name of the event',
        )
        parser.add_argument(
            '--node',
            metavar='<node-uuid>',
            help='New failed host of the event',
        )
        parser.add_argument(
            '--status',
            choices=validation.SETTABLE_STATUSES,
            help='New status; "completed" stamps the completion time',
        )
        parser.add_argument(
            '--vm',
            metavar='<vm-uuid>',
            dest='vms',
            action='append',
            default=[],
            help=(
                'Add an instance to the event (repeat for several); with '
                '--no-vm, the instances given replace the current ones'
            ),
        )
        parser.add_argument(
            '--no-vm',
            action='store_true',
            default=False,
            help='Remove every instance from the event',
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        args = parsed_args
        if not (
            args.name is not None
            or args.node is not None
            or args.status is not None
            or args.vms
            or args.no_vm
        ):
            raise osc_exceptions.CommandError(
                'Nothing to change: give at least one of --name, --node, '
                '--status, --vm, --no-vm'
            )
        # Checked before the event is looked up, so that a bad value costs
        # no request.
        changes: dict[str, Any] = {}
        if args.name is not None:
            changes['name'] = validation.event_name(args.name, '--name')
        if args.node is not None:
            changes['node_uuid'] = validation.require_text(args.node, '--node')
        if args.status is not None:
            changes['event_status'] = args.status
        new_vms = validation.vm_uuid_list(args.vms)

        client = _client(self)
        event = client.events.find(args.event)
        if args.no_vm:
            changes['vm_uuid_list'] = new_vms
        elif new_vms:
            # TODO: the API can only replace the whole list, so an instance
            # added by someone else between this read and the write below
            # is lost.
            current = list(event.vm_uuid_list)
            changes['vm_uuid_list'] = current + [
                vm for vm in new_vms if vm not in current
            ]
        client.events.edit(event.id, **changes)


class DeleteEvent(command.Command):
    """Delete evacuation events; only completed events can be deleted"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'events',
            metavar='<event>',
            nargs='+',
            help='Event(s) to delete (name or ID)',
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        client = _client(self)
        failed = 0
        for name_or_id in parsed_args.events:
            try:
                event = client.events.find(name_or_id)
                client.events.delete(event.id)
            except exceptions.ClientException as exc:
                failed += 1
                LOG.error("Failed to delete event '%s': %s", name_or_id, exc)
        if failed:
            total = len(parsed_args.events)
            raise osc_exceptions.CommandError(
                f'{failed} of {total} events failed to delete.'
            )
