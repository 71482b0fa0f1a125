"""Evacuation events: ``/v2/evacuates/events`` of the Sidecar v2 API."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable
from typing import Any

import requests

from sidecarclient import exceptions
from sidecarclient.common import base
from sidecarclient.common import http
from sidecarclient.common import validation

LOG = logging.getLogger(__name__)

COLLECTION = ('evacuates', 'events')

TimeValue = str | datetime.datetime


class Event(base.Resource):
    """One evacuation event.

    Two quirks of deployed servers are smoothed over so that an event
    reads the same whichever call returned it: ``event_complete_time`` is
    None unless the event is completed (some servers echo the create
    time), and ``vm_uuid_list`` is a list, never None.
    """

    fields = (
        'id',
        'name',
        'node_uuid',
        'event_status',
        'event_create_time',
        'event_complete_time',
        'vm_uuid_list',
        'extra',
    )
    repr_fields = ('id', 'name', 'event_status', 'node_uuid')

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info)
        if self._info['vm_uuid_list'] is None:
            self._info['vm_uuid_list'] = []
        if self._info['event_status'] != 'completed':
            self._info['event_complete_time'] = None


def _listed_event(info: dict[str, Any]) -> Event:
    # List returns ``extra`` as the raw JSON text the server stored,
    # where show returns it decoded; decode it so both agree.
    extra = info.get('extra')
    if isinstance(extra, str):
        try:
            info = dict(info, extra=json.loads(extra))
        except ValueError:
            pass
    return Event(info)


def _event(resp: requests.Response) -> Event:
    data = http.HTTPClient.read_key(resp, 'event')
    if not isinstance(data, dict) or not isinstance(data.get('id'), str):
        raise exceptions.UnexpectedResponse.from_response(
            resp, "'event' is not an event object"
        )
    return Event(data)


class EventManager(base.Manager):
    """Create, list, show, edit and delete evacuation events."""

    def list(
        self,
        id: str | None = None,
        name: str | None = None,
        node_uuid: str | None = None,
        event_status: str | None = None,
        event_create_time: TimeValue | None = None,
        min_event_create_time: TimeValue | None = None,
        max_event_create_time: TimeValue | None = None,
        marker: str | None = None,
        limit: int | str | None = None,
        page_size: int | str | None = None,
    ) -> base.ResultGenerator[Event]:
        """List events, newest first, with optional filters.

        :param id: only the event with this id.
        :param name: only the event with this name (any letter case).
        :param node_uuid: only events of this failed host.
        :param event_status: ``created``, ``running`` or ``completed``.
        :param event_create_time: created at exactly this time.
        :param min_event_create_time: created at or after this time.
        :param max_event_create_time: created at or before this time.
            Times are :class:`datetime.datetime` objects or strings, either
            ``YYYY-MM-DD HH:MM:SS`` or ISO 8601.
        :param marker: id of the last event already seen; the listing
            starts after it.
        :param limit: return at most this many events. Without it, every
            event is returned, page after page.
        :param page_size: how many events each request asks for; by
            default the server's own page size.
        :returns: a lazy :class:`~sidecarclient.common.base.ResultGenerator`
            of :class:`Event`.
        :raises ValidationError: a filter is not valid; nothing was sent.
        """
        filters: dict[str, str] = {}
        for key, value in (('id', id), ('name', name),
                           ('node_uuid', node_uuid)):
            if value is not None:
                filters[key] = validation.require_text(value, key)
        if event_status is not None:
            filters['event_status'] = validation.event_status(event_status)
        for key, moment in (
            ('event_create_time', event_create_time),
            ('min_event_create_time', min_event_create_time),
            ('max_event_create_time', max_event_create_time),
        ):
            if moment is not None:
                filters[key] = validation.event_time(moment, key)
        if marker is not None:
            validation.require_text(marker, 'marker')
        count = None if limit is None else validation.limit(limit)
        size = (
            None if page_size is None
            else validation.limit(page_size, 'page_size')
        )
        url = http.path(*COLLECTION)

        def fetch(
            page_marker: str | None, page_limit: int | None
        ) -> list[dict[str, Any]]:
            params = dict(filters)
            if page_marker is not None:
                params['marker'] = page_marker
            if page_limit is not None:
                params['limit'] = str(page_limit)
            resp = self.http.request('GET', url, params=params)
            items = self.http.read_key(resp, 'events')
            if not isinstance(items, list) or not all(
                isinstance(item, dict) for item in items
            ):
                raise exceptions.UnexpectedResponse.from_response(
                    resp, "'events' is not a list of objects"
                )
            return items

        def same_status(item: dict[str, Any]) -> bool:
            return item.get('event_status') == event_status

        return base.ResultGenerator(
            fetch,
            _listed_event,
            marker=marker,
            limit=count,
            page_size=size,
            # Servers that do not know this filter ignore it: apply it
            # here as well.
            keep=None if event_status is None else same_status,
        )

    def detail(self, id: str) -> Event:
        """Return the event with this id.

        :raises NotFound: there is no such event.
        """
        validation.resource_id(id)
        url = http.path(*COLLECTION, id)
        resp = self.http.request('GET', url)
        return _event(resp)

    def create(
        self,
        name: str,
        node_uuid: str,
        vm_uuid_list: Iterable[str] | None = None,
    ) -> Event:
        """Record a new evacuation event and return it.

        :param name: a unique name, 3 to 100 characters.
        :param node_uuid: the failed host.
        :param vm_uuid_list: the instances being evacuated.
        :raises ValidationError: an argument is not valid; nothing sent.
        :raises Conflict: an event with this name exists.
        :raises AmbiguousCreate: the connection broke after the request
            may have been sent; the exception says whether the event
            exists on the server.
        """
        body = {
            'event': {
                'name': validation.event_name(name),
                'node_uuid': validation.require_text(node_uuid, 'node_uuid'),
                'vm_uuid_list': (
                    [] if vm_uuid_list is None
                    else validation.vm_uuid_list(vm_uuid_list)
                ),
            }
        }
        try:
            resp = self.http.request(
                'POST', http.path(*COLLECTION), body=body
            )
        except (exceptions.ConnectFailure, exceptions.ConnectTimeout) as exc:
            if http.request_not_sent(exc):
                raise
            raise self._ambiguous_create(name, exc) from exc
        return _event(resp)

    def _ambiguous_create(
        self, name: str, cause: Exception
    ) -> exceptions.AmbiguousCreate:
        LOG.debug('Create of %r failed ambiguously; looking it up', name)
        try:
            found = [
                event for event in self.list(name=name)
                if event.name.lower() == name.lower()
            ]
        except exceptions.ClientException as exc:
            LOG.debug('Looking up %r after the failure failed: %s', name, exc)
            return exceptions.AmbiguousCreate(name, cause, lookup_error=exc)
        return exceptions.AmbiguousCreate(
            name, cause, found[0] if found else None
        )

    def edit(
        self,
        id: str,
        name: str | None = None,
        node_uuid: str | None = None,
        event_status: str | None = None,
        vm_uuid_list: Iterable[str] | None = None,
    ) -> None:
        """Change the given fields of an event; the others stay.

        :param event_status: ``running`` or ``completed``; completing an
            event stamps its completion time.
        :param vm_uuid_list: the new list of instances; an empty list
            clears it.
        :raises ValidationError: nothing to change, or a value is not
            valid; nothing was sent.
        """
        validation.resource_id(id)
        changes: dict[str, Any] = {}
        if name is not None:
            changes['name'] = validation.event_name(name)
        if node_uuid is not None:
            changes['node_uuid'] = validation.require_text(
                node_uuid, 'node_uuid'
            )
        if event_status is not None:
            changes['event_status'] = validation.event_status(
                event_status, validation.SETTABLE_STATUSES
            )
        if vm_uuid_list is not None:
            changes['vm_uuid_list'] = validation.vm_uuid_list(vm_uuid_list)
        if not changes:
            raise exceptions.ValidationError(
                f'Nothing to change for event {id}: give at least one of '
                f'name, node_uuid, event_status, vm_uuid_list'
            )
        self.http.request(
            'PUT', http.path(*COLLECTION, id), body={'event': changes}
        )

    def delete(self, id: str) -> None:
        """Delete an event; only a completed event may be deleted.

        :raises Forbidden: the event is not completed (or the user may
            not delete events).
        :raises NotFound: there is no such event.
        """
        validation.resource_id(id)
        self.http.request('DELETE', http.path(*COLLECTION, id))

    def find(self, name_or_id: str) -> Event:
        """Return the event with this id, or else with this name.

        :raises NotFound: no event has this id or name.
        :raises NoUniqueMatch: several events have this name.
        """
        validation.resource_id(name_or_id, 'event name or ID')
        try:
            return self.detail(name_or_id)
        except exceptions.NotFound:
            pass
        wanted = name_or_id.lower()
        matches = [
            event for event in self.list(name=name_or_id)
            if (event.name or '').lower() == wanted
        ]
        if not matches:
            raise exceptions.NoSuchEvent(name_or_id)
        if len(matches) > 1:
            raise exceptions.NoUniqueMatch(
                f"More than one event is named '{name_or_id}': "
                + ', '.join(event.id for event in matches)
                + '; use an ID instead'
            )
        return matches[0]
