"""Version 2 of the Sidecar API."""
