"""Real-browser tests. A package so that this folder's conftest.py is imported as
`browser.conftest` and does not replace the `conftest` module the other tests import from."""
