"""A reference Sidecar server for tests: the v2 API over SQLite.

This is test tooling, not part of the client package. It implements
``sidecar-api-v2.md`` as a correct server would, and departs on purpose
from the quirks the contract lists for deployed servers:

- A body that fails validation gets a 400, never a 500: an edit with
  nothing to change (``{"event": {}}``) or with an unknown field, a name
  over 100 characters, and a query parameter given twice are all 400.
- ``limit`` is a page length: a list returns at most ``limit`` events
  after the marker.
- An unknown ``marker`` is a 400, so that a client bug in paging shows
  up instead of silently starting over from the top.
- ``event_complete_time`` is null until the event is completed, in show
  and list alike; ``extra`` is JSON in show and list alike.
- The ``admin`` role is really required for every event call (403).

Errors that come from validating a request body carry ``code`` as a
string (``"400"``), as the contract says some errors do; all others
carry it as a number.
"""
