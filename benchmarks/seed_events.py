"""Fill a fresh reference-server database with many events, fast.

    PYTHONPATH=tools/reference_server python benchmarks/seed_events.py \\
        --db /tmp/bench.db --count 10000

Runs with the reference server's Python (SQLAlchemy and ``sidecar_ref``
importable) before the server starts. The rows go in through the
server's own table definition in one bulk insert: creating them through
the API would take minutes and measure nothing of interest.
"""

from __future__ import annotations

import argparse
import datetime
import os
import uuid

import sqlalchemy as sa
from sidecar_ref import storage

STATUSES = (
    storage.STATUS_CREATED,
    storage.STATUS_RUNNING,
    storage.STATUS_COMPLETED,
)


def rows(count: int) -> list[dict[str, object]]:
    """``count`` events, newest first, one second apart."""
    newest = datetime.datetime.now().replace(microsecond=0)
    made = []
    for index in range(count):
        created = newest - datetime.timedelta(seconds=index)
        status = STATUSES[index % len(STATUSES)]
        name = f'bench-event-{index:06d}'
        made.append(
            {
                'id': uuid.uuid4().hex,
                'name': name,
                'name_key': storage.name_key(name),
                'event_status': status,
                'node_uuid': f'node-{index % 97:03d}',
                'event_create_time': created,
                'event_complete_time': (
                    created + datetime.timedelta(minutes=5)
                    if status == storage.STATUS_COMPLETED
                    else None
                ),
                'vm_uuid_list': [str(uuid.uuid4()) for _ in range(3)],
                # A few events carry metadata, as in real deployments.
                'extra': {'reason': 'power'} if index % 10 == 0 else None,
            }
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--db', required=True, help='a new SQLite file')
    parser.add_argument('--count', type=int, default=10_000)
    args = parser.parse_args()
    if os.path.exists(args.db):
        parser.error(f'{args.db} exists: give a path for a new database')

    # The store creates the tables exactly as the server will see them.
    storage.EventStore(args.db).close()
    engine = sa.create_engine(f'sqlite:///{args.db}')
    with engine.begin() as connection:
        connection.execute(sa.insert(storage.Event), rows(args.count))
    engine.dispose()


if __name__ == '__main__':
    main()
