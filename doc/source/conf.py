"""Sphinx configuration of the python-sidecarclient documentation."""

from __future__ import annotations

import os
import sys

import sidecarclient

# The local extension that renders the legacy shell's parser.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_exts'))

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.viewcode',
    'cliff.sphinxext',
    'sidecar_shell',
]

project = 'python-sidecarclient'
copyright = '2026, python-sidecarclient developers'

# The version shown is the installed package's.
release = sidecarclient.version_string()
version = '.'.join(release.split('.')[:2])

# Sphinx's own theme: it builds offline and claims nothing about the
# project (openstackdocstheme adds OpenStack's licence and site links).
html_theme = 'alabaster'
html_theme_options = {
    'description': 'Client for the Sidecar evacuation event service',
    'fixed_sidebar': True,
    # Wide enough for the tables the commands print.
    'page_width': '1240px',
    'sidebar_width': '220px',
    'body_max_width': 'none',
}
html_static_path = ['_static']
templates_path: list[str] = []
exclude_patterns = ['_exts']

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
# Option names and commands are meant to be copied: never turn -- into a
# dash or straight quotes into curly ones.
smartquotes = False
add_module_names = False

# autodoc: document what the code says, in source order, with the type
# hints in the parameter descriptions rather than in long signatures.
autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
autodoc_default_options = {
    'members': True,
    'show-inheritance': True,
}

# cliff: the OSC commands are rendered as "openstack sidecar ..."; the
# help option every command has is left out.
autoprogram_cliff_application = 'openstack'
autoprogram_cliff_ignored = ['--help']
