"""OpenStackClient plugin for Sidecar: ``openstack sidecar ...``.

OpenStackClient imports this module on every run, whatever the command,
so it imports nothing that OpenStackClient has not loaded already; the
library is imported only when a sidecar command asks for its client.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from osc_lib import clientmanager

    from sidecarclient.v2 import client as v2_client

API_NAME = 'sidecar'
API_VERSION_OPTION = 'os_sidecar_api_version'
DEFAULT_API_VERSION = '2'
API_VERSIONS = {'2': 'sidecarclient.v2.client.Client'}


def make_client(instance: clientmanager.ClientManager) -> v2_client.Client:
    """Build the Sidecar client on OpenStackClient's session.

    The endpoint comes from OpenStackClient: ``sidecar_endpoint_override``
    in clouds.yaml first, then ``--os-endpoint`` of an authentication
    type without a catalog (``none``, ``admin_token``), else the service
    catalog for the chosen region and interface.
    """
    from keystoneauth1 import exceptions as ksa_exceptions
    from osc_lib import exceptions as osc_exceptions

    from sidecarclient.common import auth
    from sidecarclient.v2 import client as v2_client

    try:
        endpoint = instance.get_endpoint_for_service_type(
            API_NAME,
            region_name=instance.region_name,
            interface=instance.interface,
        )
    except ksa_exceptions.EndpointNotFound as exc:
        raise osc_exceptions.CommandError(
            f'No Sidecar endpoint in the service catalog ({exc}); check '
            f'--os-region-name and --os-interface, or set '
            f'sidecar_endpoint_override in clouds.yaml'
        ) from exc
    if not endpoint:
        raise osc_exceptions.CommandError(
            'No Sidecar endpoint: the authentication type has no service '
            'catalog, so give the URL with --os-endpoint'
        )
    return v2_client.Client(
        session=instance.session,
        endpoint=endpoint,
        region_name=instance.region_name,
        interface=instance.interface,
        # osc-lib sets no timeout on its session, so that a server that
        # never answers would be waited for forever.
        # TODO: add an option to change it; OpenStackClient has none that
        # reaches plugins (osc-lib clears api_timeout).
        timeout=instance.session.timeout or auth.DEFAULT_TIMEOUT,
        # TODO: like the other OpenStackClient commands, fail at once
        # instead of retrying with a warning per attempt; honouring
        # connect_retries and status_code_retries from clouds.yaml needs
        # the library to take the two counts separately.
        retries=0,
    )


def build_option_parser(
    parser: argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    """Add the global ``--os-sidecar-api-version`` option."""
    from_env = os.environ.get('OS_SIDECAR_API_VERSION')
    parser.add_argument(
        '--os-sidecar-api-version',
        metavar='<sidecar-api-version>',
        default=from_env or DEFAULT_API_VERSION,
        help=(
            f'Sidecar API version, default={DEFAULT_API_VERSION} '
            f'(Env: OS_SIDECAR_API_VERSION)'
        ),
    )
    return parser
