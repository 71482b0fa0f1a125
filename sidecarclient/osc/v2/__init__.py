"""OpenStackClient commands for version 2 of the Sidecar API."""
