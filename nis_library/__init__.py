"""The NIS Library: evidence library and search service for the National Inclusion Standards."""

from nis_library.app import create_app

__all__ = ["create_app"]
