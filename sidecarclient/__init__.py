"""Client library and command-line tools for the Sidecar service."""

from __future__ import annotations

import functools


@functools.cache
def version_string() -> str:
    """The installed version of python-sidecarclient."""
    # Looked up on demand: reading package metadata costs start-up time
    # that most commands never need.
    from importlib import metadata

    try:
        return metadata.version('python-sidecarclient')
    except metadata.PackageNotFoundError:
        return 'unknown'
