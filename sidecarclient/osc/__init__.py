"""OpenStackClient plugin for Sidecar."""
