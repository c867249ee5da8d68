"""`python -m nis_library.cli`, as the `nis` script."""

from nis_library.cli import main

main(prog_name="nis")
