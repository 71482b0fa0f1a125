"""Checks on request bodies and query strings, as the v2 API defines them.

Every check raises :class:`InvalidInput` with a message for the caller;
nothing here knows about HTTP.
"""

from __future__ import annotations

import collections
import datetime
import re
from typing import Any

from sidecar_ref import storage

TIME_FORMAT = '%Y-%m-%d %H:%M:%S'
DEFAULT_LIMIT = 30

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 100
# ASCII letter or digit at both ends; letters, digits, underscore, white
# space or hyphen between them.
_NAME_PATTERN = re.compile(r'[A-Za-z0-9][\w\s-]*[A-Za-z0-9]')

EDITABLE_FIELDS = ('name', 'node_uuid', 'vm_uuid_list', 'event_status')
EDITABLE_STATUSES = (storage.STATUS_RUNNING, storage.STATUS_COMPLETED)

_TIME_FILTERS = (
    'event_create_time',
    'min_event_create_time',
    'max_event_create_time',
)
_TEXT_FILTERS = ('id', 'name', 'node_uuid', 'event_status')


class InvalidInput(Exception):
    """The request is not valid; the message says why."""


def create_fields(body: Any) -> dict[str, Any]:
    """Return the fields of a create body, all three of them required."""
    event = _event_object(body)
    missing = [
        key
        for key in ('name', 'node_uuid', 'vm_uuid_list')
        if key not in event
    ]
    if missing:
        raise InvalidInput(
            'Missing required field(s) in event: {}'.format(', '.join(missing))
        )
    # Unknown keys inside the event, "extra" among them, are ignored:
    # the server never takes them from the API.
    return {
        'name': _name(event['name']),
        'node_uuid': _node_uuid(event['node_uuid']),
        'vm_uuid_list': _vm_uuid_list(event['vm_uuid_list']),
    }


def edit_changes(body: Any) -> dict[str, Any]:
    """Return the changes an edit body asks for; at least one."""
    event = _event_object(body)
    unknown = sorted(set(event) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            'Field(s) that cannot be edited: {}; an edit may set {}'.format(
                ', '.join(unknown), ', '.join(EDITABLE_FIELDS)
            )
        )
    if not event:
        raise InvalidInput(
            'Nothing to change: an edit must set at least one of {}'.format(
                ', '.join(EDITABLE_FIELDS)
            )
        )

    changes: dict[str, Any] = {}
    if 'name' in event:
        changes['name'] = _name(event['name'])
    if 'node_uuid' in event:
        changes['node_uuid'] = _node_uuid(event['node_uuid'])
    if 'vm_uuid_list' in event:
        changes['vm_uuid_list'] = _vm_uuid_list(event['vm_uuid_list'])
    if 'event_status' in event:
        status = event['event_status']
        if status not in EDITABLE_STATUSES:
            raise InvalidInput(
                'Invalid event_status {!r}: an edit may only set {}'.format(
                    status, ' or '.join(EDITABLE_STATUSES)
                )
            )
        changes['event_status'] = status
    return changes


def list_query(
    params: dict[str, list[str]],
) -> tuple[storage.EventFilters, int, str | None]:
    """Return the filters, page length and marker of a list query.

    ``params`` maps each query parameter to all the values it was given
    with. Parameters the API does not know are ignored.
    """
    single = {}
    for key, values in params.items():
        if len(values) > 1:
            raise InvalidInput(
                f'Query parameter {key} was given {len(values)} times; '
                'give it once'
            )
        single[key] = values[0]

    filters = storage.EventFilters()
    for key in _TEXT_FILTERS:
        if key in single:
            setattr(filters, key, single[key])
    for key in _TIME_FILTERS:
        if key in single:
            setattr(filters, key, _time(key, single[key]))

    limit = DEFAULT_LIMIT
    if 'limit' in single:
        limit = _limit(single['limit'])
    return filters, limit, single.get('marker')


def _event_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or 'event' not in body:
        raise InvalidInput('The body must be a JSON object with an "event"')
    event = body['event']
    if not isinstance(event, dict):
        raise InvalidInput('"event" must be a JSON object')
    return event


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f'Invalid name {value!r}: it must be a string')
    if not NAME_MIN_LENGTH <= len(value) <= NAME_MAX_LENGTH:
        raise InvalidInput(
            f'Invalid name {value!r}: it must be {NAME_MIN_LENGTH} to '
            f'{NAME_MAX_LENGTH} characters long'
        )
    if not _NAME_PATTERN.fullmatch(value):
        raise InvalidInput(
            f'Invalid name {value!r}: it must start and end with an ASCII '
            'letter or digit and hold only letters, digits, underscores, '
            'white space and hyphens'
        )
    return value


def _node_uuid(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f'Invalid node_uuid {value!r}: it must be a string')
    return value


def _vm_uuid_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(
        isinstance(item, str) for item in value
    ):
        raise InvalidInput(
            f'Invalid vm_uuid_list {value!r}: it must be an array of strings'
        )
    counts = collections.Counter(value)
    duplicates = sorted(item for item, count in counts.items() if count > 1)
    if duplicates:
        raise InvalidInput(
            'Invalid vm_uuid_list: duplicate id(s) {}'.format(
                ', '.join(duplicates)
            )
        )
    return value


def _time(key: str, value: str) -> datetime.datetime:
    try:
        return datetime.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise InvalidInput(
            f'Invalid {key} {value!r}: expected YYYY-MM-DD HH:MM:SS'
        ) from None


def _limit(value: str) -> int:
    # int() alone would take " 5", "+5" and "5_0".
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise InvalidInput(
            f'Invalid limit {value!r}: it must be a positive integer'
        )
    return int(value)
