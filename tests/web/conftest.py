"""The shipped content with its preview (`shipped_with_preview`) is built in tests/conftest.py, shared with
the accounts tests."""
