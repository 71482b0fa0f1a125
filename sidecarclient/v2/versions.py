"""API versions offered by a Sidecar server: ``GET /``."""

from __future__ import annotations

from typing import Any

from sidecarclient import exceptions
from sidecarclient.common import base
from sidecarclient.common import http


class Version(base.Resource):
    """One API version: its name (``v2``), date and status."""

    fields = ('version', 'date', 'status')
    repr_fields = fields


class VersionManager(base.Manager):
    """Read the versions document at the root of the service."""

    def list(self) -> list[Version]:
        """Return every API version the server offers.

        The request goes to the unversioned root of the Sidecar endpoint
        (``http://controller:9090/`` for ``http://controller:9090/v2``).
        """
        root = http.unversioned(self.http.endpoint())
        resp = self.http.request('GET', root)
        entries = self.http.read_key(resp, 'versions')
        versions: list[Version] = []
        for entry in entries if isinstance(entries, list) else [None]:
            if not isinstance(entry, dict):
                raise exceptions.UnexpectedResponse.from_response(
                    resp, "'versions' is not a list of objects"
                )
            for name, info in entry.items():
                details: dict[str, Any] = (
                    info if isinstance(info, dict) else {}
                )
                versions.append(Version(dict(details, version=name)))
        return versions
