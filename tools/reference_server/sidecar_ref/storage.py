"""Evacuation events kept in a SQLite file through SQLAlchemy."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import threading
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

LOG = logging.getLogger(__name__)

STATUS_CREATED = 'created'
STATUS_RUNNING = 'running'
STATUS_COMPLETED = 'completed'


class StorageError(Exception):
    """Base of the errors the store raises for the API to translate."""


class EventNotFound(StorageError):
    def __init__(self, event_id: str) -> None:
        super().__init__(f'Event {event_id} could not be found.')


class MarkerNotFound(StorageError):
    def __init__(self, marker: str) -> None:
        super().__init__(f'Marker {marker} could not be found.')


class NameConflict(StorageError):
    def __init__(self, name: str) -> None:
        super().__init__(f'There is already an event named {name}')


class NotDeletable(StorageError):
    def __init__(self, event_id: str, status: str) -> None:
        super().__init__(
            f'Event {event_id} is {status}: only a completed event can '
            'be deleted.'
        )


class _Base(orm.DeclarativeBase):
    pass


class Event(_Base):
    __tablename__ = 'events'

    # The insertion sequence breaks ties between events created within
    # the same second, so that the order, and so paging, is stable.
    seq: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    id: orm.Mapped[str] = orm.mapped_column(sa.String(32), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(100))
    # Names are unique without regard to case: the unique index is on
    # the lower-cased name.
    name_key: orm.Mapped[str] = orm.mapped_column(sa.String(100), unique=True)
    event_status: orm.Mapped[str] = orm.mapped_column(sa.String(16))
    node_uuid: orm.Mapped[str] = orm.mapped_column(sa.Text)
    event_create_time: orm.Mapped[datetime.datetime] = orm.mapped_column(
        index=True
    )
    event_complete_time: orm.Mapped[datetime.datetime | None]
    vm_uuid_list: orm.Mapped[Any] = orm.mapped_column(
        sa.JSON(none_as_null=True), nullable=True
    )
    extra: orm.Mapped[Any] = orm.mapped_column(
        sa.JSON(none_as_null=True), nullable=True
    )


@dataclasses.dataclass
class EventFilters:
    """What a list asks for; ``None`` means "do not filter on this"."""

    id: str | None = None
    name: str | None = None
    node_uuid: str | None = None
    event_status: str | None = None
    event_create_time: datetime.datetime | None = None
    min_event_create_time: datetime.datetime | None = None
    max_event_create_time: datetime.datetime | None = None


def name_key(name: str) -> str:
    return name.lower()


def _now() -> datetime.datetime:
    # Server local time, to the second, as the API shows it.
    return datetime.datetime.now().replace(microsecond=0)


class EventStore:
    """Events in one SQLite file; safe to share between threads."""

    def __init__(self, db_path: str) -> None:
        self._engine = sa.create_engine(
            f'sqlite:///{db_path}',
            connect_args={'timeout': 30},
        )
        _Base.metadata.create_all(self._engine)
        self._sessions = orm.sessionmaker(self._engine, expire_on_commit=False)
        # Every write checks, then changes; one lock keeps the pair
        # atomic, so two requests cannot both take a free name.
        self._write_lock = threading.Lock()
        LOG.debug('Events are stored in %s', db_path)

    def close(self) -> None:
        self._engine.dispose()

    def get(self, event_id: str) -> Event:
        with self._sessions() as session:
            event = self._find(session, event_id)
            if event is None:
                raise EventNotFound(event_id)
            return event

    def list_events(
        self,
        filters: EventFilters,
        limit: int,
        marker: str | None = None,
    ) -> list[Event]:
        """Return one page of events, newest first.

        The page holds at most ``limit`` events and starts right after
        the event ``marker`` in the same order.
        """
        query = sa.select(Event)
        for clause in self._filter_clauses(filters):
            query = query.where(clause)

        with self._sessions() as session:
            if marker is not None:
                last = self._find(session, marker)
                if last is None:
                    raise MarkerNotFound(marker)
                query = query.where(
                    sa.or_(
                        Event.event_create_time < last.event_create_time,
                        sa.and_(
                            Event.event_create_time == last.event_create_time,
                            Event.seq < last.seq,
                        ),
                    )
                )
            query = query.order_by(
                Event.event_create_time.desc(), Event.seq.desc()
            ).limit(limit)
            return list(session.scalars(query))

    def create(
        self, name: str, node_uuid: str, vm_uuid_list: list[str]
    ) -> Event:
        event = Event(
            id=uuid.uuid4().hex,
            name=name,
            name_key=name_key(name),
            event_status=STATUS_CREATED,
            node_uuid=node_uuid,
            event_create_time=_now(),
            event_complete_time=None,
            vm_uuid_list=vm_uuid_list,
            extra=None,
        )
        with self._write_lock, self._sessions() as session:
            self._check_name_free(session, name)
            session.add(event)
            session.commit()
        return event

    def update(self, event_id: str, changes: dict[str, Any]) -> Event:
        """Apply validated ``changes`` to an event and return it."""
        with self._write_lock, self._sessions() as session:
            event = self._find(session, event_id)
            if event is None:
                raise EventNotFound(event_id)

            if 'name' in changes:
                self._check_name_free(session, changes['name'], but=event.seq)
                event.name = changes['name']
                event.name_key = name_key(changes['name'])
            if 'node_uuid' in changes:
                event.node_uuid = changes['node_uuid']
            if 'vm_uuid_list' in changes:
                event.vm_uuid_list = changes['vm_uuid_list']
            if 'event_status' in changes:
                self._set_status(event, changes['event_status'])

            session.commit()
            return event

    def delete(self, event_id: str) -> None:
        with self._write_lock, self._sessions() as session:
            event = self._find(session, event_id)
            if event is None:
                raise EventNotFound(event_id)
            if event.event_status != STATUS_COMPLETED:
                raise NotDeletable(event_id, event.event_status)
            session.delete(event)
            session.commit()

    @staticmethod
    def _find(session: orm.Session, event_id: str) -> Event | None:
        return session.scalar(sa.select(Event).where(Event.id == event_id))

    @staticmethod
    def _check_name_free(
        session: orm.Session, name: str, but: int | None = None
    ) -> None:
        query = sa.select(Event.seq).where(Event.name_key == name_key(name))
        if but is not None:
            query = query.where(Event.seq != but)
        if session.scalar(query) is not None:
            raise NameConflict(name)

    @staticmethod
    def _set_status(event: Event, status: str) -> None:
        if status == STATUS_COMPLETED:
            # Completing twice keeps the first completion time.
            if event.event_status != STATUS_COMPLETED:
                event.event_complete_time = _now()
        else:
            event.event_complete_time = None
        event.event_status = status

    @staticmethod
    def _filter_clauses(
        filters: EventFilters,
    ) -> list[sa.ColumnElement[bool]]:
        clauses = []
        if filters.id is not None:
            clauses.append(Event.id == filters.id)
        if filters.name is not None:
            clauses.append(Event.name_key == name_key(filters.name))
        if filters.node_uuid is not None:
            clauses.append(Event.node_uuid == filters.node_uuid)
        if filters.event_status is not None:
            clauses.append(Event.event_status == filters.event_status)
        if filters.event_create_time is not None:
            clauses.append(
                Event.event_create_time == filters.event_create_time
            )
        if filters.min_event_create_time is not None:
            clauses.append(
                Event.event_create_time >= filters.min_event_create_time
            )
        if filters.max_event_create_time is not None:
            clauses.append(
                Event.event_create_time <= filters.max_event_create_time
            )
        return clauses
