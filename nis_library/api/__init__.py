"""The JSON API for settings' systems (`/api/v1`), with its contract in `openapi.yaml`."""
