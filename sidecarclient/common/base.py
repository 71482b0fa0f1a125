"""Resources, managers and lazy paging shared by the API versions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from sidecarclient.common import http
from sidecarclient.common import validation

LOG = logging.getLogger(__name__)

# The page size of deployed servers when a request sets no limit.
DEFAULT_PAGE_SIZE = 30


class Resource:
    """One object of the API, built from the JSON the server returned.

    The fields a resource class names are attributes even when the
    server left them out; any other field a newer server sends is kept,
    reachable as an attribute and returned by :meth:`to_dict`.
    """

    fields: ClassVar[tuple[str, ...]] = ()
    # Fields shown by repr(), in order.
    repr_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, info: dict[str, Any]) -> None:
        self._info = dict(info)
        for name in self.fields:
            self._info.setdefault(name, None)

    def __getattr__(self, name: str) -> Any:
        # Only called for names not found normally: the resource's fields.
        info = self.__dict__.get('_info')
        if info is not None and name in info:
            return info[name]
        raise AttributeError(
            f'{type(self).__name__!r} object has no attribute {name!r}'
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Resource) or type(other) is not type(self):
            return NotImplemented
        return self._info == other._info

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._info.get('id')))

    def __repr__(self) -> str:
        shown = ' '.join(
            f'{name}={self._info.get(name)!r}' for name in self.repr_fields
        )
        return f'<{type(self).__name__} {shown}>'

    def to_dict(self) -> dict[str, Any]:
        """A copy of every field of the resource."""
        return dict(self._info)


ResourceT = TypeVar('ResourceT', bound=Resource)

# fetch(marker, limit) -> the raw items of one page.
PageFetcher = Callable[[str | None, int | None], list[dict[str, Any]]]


class ResultGenerator(Generic[ResourceT]):
    """The lazily fetched result of a list call.

    Iterating walks the pages, requesting each only when the previous one
    is used up, and keeps no item behind it, only the ids seen (about 130
    bytes an item), which guard against a server repeating events. Each
    iteration asks the server again. ``len()`` fetches every page once
    and keeps the items; later iterations then replay them.

    Paging follows the marker (the id of the last item seen) until an
    empty page. It stops as well on a marker seen before or a page with
    nothing new, and never yields one id twice: deployed servers have
    been known to misplace the marker. ``keep``, when given, drops the
    items it returns False for, for filters a server may ignore.
    """

    def __init__(
        self,
        fetch: PageFetcher,
        make: Callable[[dict[str, Any]], ResourceT],
        marker: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self._fetch = fetch
        self._keep = keep
        self._make = make
        self._marker = marker
        self._limit = limit
        self._page_size = page_size
        self._items: list[ResourceT] | None = None

    def __repr__(self) -> str:
        state = (
            'not fetched' if self._items is None
            else f'{len(self._items)} fetched'
        )
        return f'<ResultGenerator {state}>'

    def __iter__(self) -> Iterator[ResourceT]:
        if self._items is not None:
            return iter(self._items)
        return self._iterate()

    def _iterate(self) -> Iterator[ResourceT]:
        # list(result) calls len() after iter() and before the first
        # item: replay what len() fetched rather than fetch it again.
        if self._items is not None:
            yield from self._items
            return
        for item in self._walk():
            yield self._make(item)

    def __len__(self) -> int:
        if self._items is None:
            self._items = [self._make(item) for item in self._walk()]
        return len(self._items)

    def __bool__(self) -> bool:
        return len(self) > 0

    def _walk(self) -> Iterator[dict[str, Any]]:
        limit = self._limit
        page_size = self._page_size
        marker = self._marker
        keep = self._keep
        yielded = 0
        # Deployed servers read limit as an end index into the whole
        # result, not as a page length: with the marker at position p,
        # asking for p + n gets the next n events from them, and at
        # least those n from a correct server. ``position`` is p, None
        # while unknown (the caller gave the first marker).
        position: int | None = 0 if marker is None else None
        # Set once a server shows that it reads limit as a page length.
        limit_is_length = False
        probed = False
        seen: set[str] = set()
        markers: set[str] = set()
        while True:
            want = page_size
            if want is None and position is None:
                want = DEFAULT_PAGE_SIZE
            if limit is not None:
                remaining = limit - yielded
                want = remaining if want is None else min(want, remaining)
            asked = want
            if want is not None and position and not limit_is_length:
                asked = min(position + want, validation.MAX_LIMIT)
            page = self._fetch(marker, asked)
            if not page and position is None and not probed:
                # An empty first page after the caller's marker is the
                # end for a correct server, and for a deployed one means
                # the marker lies deeper than the limit: ask once for
                # everything after it, which both answer rightly.
                probed = True
                asked = validation.MAX_LIMIT
                page = self._fetch(marker, asked)
            if not page:
                return
            if page_size is None:
                page_size = len(page)
            if want is not None and len(page) > want:
                limit_is_length = True
            if position is None:
                if want is not None and len(page) >= want:
                    limit_is_length = True
                # A short page after the caller's marker is the end for
                # a correct server, and for a deployed one ends at the
                # end index asked for.
                position = asked or len(page)
            else:
                position += len(page)

            fresh = False
            for item in page:
                item_id = item.get('id')
                if item_id in seen:
                    continue
                fresh = True
                if item_id is not None:
                    seen.add(item_id)
                if keep is not None and not keep(item):
                    continue
                yield item
                yielded += 1
                if limit is not None and yielded >= limit:
                    return
            last = page[-1].get('id')
            if not fresh or last is None or last in markers:
                LOG.debug('Paging stopped at marker %s: nothing new', last)
                return
            markers.add(last)
            marker = last


class Manager:
    """Calls on one kind of resource, made through :class:`HTTPClient`."""

    def __init__(self, client: http.HTTPClient) -> None:
        self.http = client

    def __repr__(self) -> str:
        return f'<{type(self).__name__}>'
