"""The `nis` command: one module per group of commands, each parsing its options, calling the
function of the package that owns the work, and printing; what they share is in `base`."""

# Importing each module registers its commands on `main`.
from nis_library.cli import content, isp, people, publishing, running, search, state  # noqa: F401
from nis_library.cli.base import main

__all__ = ["main"]
