"""Entry point of the library: ``client.Client(...)``.

Example::

    from sidecarclient import client

    sidecar = client.Client(
        auth_url='http://controller:5000/v3',
        username='admin',
        password='secret',
        project_name='admin',
        user_domain_name='Default',
        project_domain_name='Default',
    )
    for event in sidecar.events.list(event_status='running'):
        print(event.id, event.name)
"""

from __future__ import annotations

from sidecarclient.v2.client import Client

__all__ = ['Client']
