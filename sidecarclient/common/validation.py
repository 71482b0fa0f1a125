"""Checks the client makes itself, before any request is sent.

Every front end (library, OpenStackClient plugin, legacy shell) goes
through these functions, so the same bad value gets the same message
wherever it is typed.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from sidecarclient import exceptions

SERVER_TIME_FORMAT = '%Y-%m-%d %H:%M:%S'

EVENT_STATUSES = ('created', 'running', 'completed')
# Only these may be set on an existing event; 'created' is the server's.
SETTABLE_STATUSES = ('running', 'completed')

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 100
# First and last characters are ASCII letters or digits; in between,
# letters, digits, underscore, white space or hyphen.
_NAME_RE = re.compile(r'[A-Za-z0-9](?:[\w\s-]*[A-Za-z0-9])?\Z')

# Largest limit accepted: servers store it in a 32-bit integer.
MAX_LIMIT = 2**31 - 1

_TRUE_STRINGS = ('true', '1', 'yes', 'y', 'on')
_FALSE_STRINGS = ('false', '0', 'no', 'n', 'off', '')


def _fail(message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError(message)


def require_text(value: Any, what: str) -> str:
    """Return ``value`` if it is a non-empty string, else raise."""
    if not isinstance(value, str):
        raise _fail(f'{what} must be a string, not {type(value).__name__}')
    if not value.strip():
        raise _fail(f'{what} must not be empty')
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        # Python decodes a command-line argument that is not UTF-8 with
        # surrogates, which no URL or JSON body can carry.
        raise _fail(
            f'{what} {value!r} is not valid: it is not UTF-8 text'
        ) from None
    return value


def resource_id(value: Any, what: str = 'id') -> str:
    """Check an id that is sent as one segment of a URL path.

    ``.`` and ``..`` are refused: requests decodes ``%2E`` back to a dot,
    so such an id would reach the server, or a proxy in front of it, as
    a relative path segment and name another resource. No event can
    have such an id or name.
    """
    text = require_text(value, what)
    if text in ('.', '..'):
        raise _fail(
            f'{what} {text!r} is not valid: it would be read as a '
            f'relative URL path'
        )
    return text


def url(value: Any, what: str) -> str:
    """Check an absolute ``http://`` or ``https://`` URL with a host."""
    text = require_text(value, what).strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
        raise _fail(
            f'{what} {value!r} is not a URL: give it as '
            f'http://HOST[:PORT]/... or https://...'
        )
    return text


def event_name(value: Any, what: str = 'name') -> str:
    """Check an event name against the rules the server applies."""
    name = require_text(value, what)
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise _fail(
            f'{what} {name!r} must be {NAME_MIN_LENGTH} to '
            f'{NAME_MAX_LENGTH} characters long (it has {len(name)})'
        )
    if not _NAME_RE.match(name):
        raise _fail(
            f'{what} {name!r} is not valid: it must start and end with an '
            f'ASCII letter or digit and contain only letters, digits, '
            f'underscores, hyphens and spaces'
        )
    return name


def event_status(
    value: Any, allowed: Iterable[str] = EVENT_STATUSES
) -> str:
    """Check an event status against ``allowed``."""
    allowed = tuple(allowed)
    status = require_text(value, 'event status')
    if status not in allowed:
        raise _fail(
            f'event status {status!r} is not one of: {", ".join(allowed)}'
        )
    return status


def vm_uuid_list(value: Any) -> list[str]:
    """Check a list of instance ids: strings, none empty, no repeats."""
    # A mapping is iterable too, but only its keys would be sent.
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(
        value, Iterable
    ):
        raise _fail('vm_uuid_list must be a list of instance ids')
    vms = list(value)
    seen: set[str] = set()
    for vm in vms:
        require_text(vm, 'an instance id in vm_uuid_list')
        if vm in seen:
            raise _fail(f'instance id {vm!r} appears more than once')
        seen.add(vm)
    return vms


def limit(value: Any, what: str = 'limit') -> int:
    """Parse a positive integer page or result limit."""
    if isinstance(value, bool):
        raise _fail(f'{what} must be a positive integer, not {value!r}')
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r'[+]?\d+', text):
            raise _fail(f'{what} must be a positive integer, not {value!r}')
        value = int(text)
    if not isinstance(value, int):
        raise _fail(f'{what} must be a positive integer, not {value!r}')
    if not 1 <= value <= MAX_LIMIT:
        raise _fail(f'{what} must be between 1 and {MAX_LIMIT}, not {value}')
    return value


def event_time(value: Any, what: str = 'time') -> str:
    """Return a time in the server's ``YYYY-MM-DD HH:MM:SS`` format.

    Accepts a :class:`datetime.datetime`, the server's format, or ISO 8601
    (``2016-09-02T14:32:17``, optionally with fractions or an offset). A
    time with an offset is converted to this machine's local time, which
    is the server's convention for naive times.
    """
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(('Z', 'z')):
            text = text[:-1] + '+00:00'
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise _fail(
                f'{what} {value!r} is not a valid time: use '
                f'YYYY-MM-DD HH:MM:SS or ISO 8601 such as '
                f'2016-09-02T14:32:17'
            ) from None
    else:
        raise _fail(
            f'{what} {value!r} is not a valid time: use YYYY-MM-DD HH:MM:SS'
        )
    if moment.tzinfo is not None:
        # TODO: the API does not say which time zone the server keeps its
        # naive times in; converting to this machine's zone is right only
        # when client and server share one.
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.strftime(SERVER_TIME_FORMAT)


def boolean(value: Any, what: str) -> bool:
    """Parse a strict boolean: a bool, or a string such as "yes"/"false"."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_STRINGS:
            return True
        if text in _FALSE_STRINGS:
            return False
    raise _fail(
        f'{what} must be true or false (such as "True", "false", "1", '
        f'"0", "yes", "no"), not {value!r}'
    )


def retries(value: Any) -> int:
    """Parse a number of retries: 0 or a positive integer."""
    if isinstance(value, str) and re.fullmatch(r'\s*\d+\s*', value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(f'retries must be 0 or a positive integer, not {value!r}')
    return value


def retry_delay(value: Any) -> float:
    """Parse a delay between retries: 0 or more seconds."""
    seconds = None
    if not isinstance(value, bool):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            pass
    if seconds is None or not 0 <= seconds < float('inf'):
        raise _fail(
            f'retry_delay must be 0 or a positive number of seconds, not '
            f'{value!r}'
        )
    return seconds


def timeout(value: Any) -> float:
    """Parse a timeout in seconds: a positive number or numeric string."""
    if isinstance(value, bool):
        raise _fail(f'timeout must be a positive number, not {value!r}')
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise _fail(
            f'timeout must be a number of seconds, not {value!r}'
        ) from None
    if not seconds > 0 or seconds == float('inf'):
        raise _fail(f'timeout must be a positive number, not {value!r}')
    return seconds
