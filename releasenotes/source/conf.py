"""Sphinx configuration of the python-sidecarclient release notes."""

from __future__ import annotations

extensions = [
    'reno.sphinxext',
]

project = 'python-sidecarclient Release Notes'
copyright = '2026, python-sidecarclient developers'

# The notes cover every version; the pages themselves have none.
version = ''
release = ''

html_theme = 'alabaster'
html_static_path: list[str] = []
templates_path: list[str] = []

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
smartquotes = False
