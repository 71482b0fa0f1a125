"""``openstack sidecar version list``: the API versions of the server."""

from __future__ import annotations

import argparse
from typing import Any

from osc_lib.command import command


class ListVersion(command.Lister):
    """List the API versions the Sidecar server offers"""

    def take_action(
        self, parsed_args: argparse.Namespace
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        # The attribute is made by sidecarclient.osc.plugin.make_client.
        manager: Any = self.app.client_manager
        client = manager.sidecar
        return ('Version', 'Date', 'Status'), [
            (version.version, version.date, version.status)
            for version in client.versions.list()
        ]
