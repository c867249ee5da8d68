"""Reading content files without trusting them: never through a symbolic link (a link could point
outside content/, even at system files), never a file larger than its kind allows (checked before
reading, and the read itself stops at the limit), only regular files.

The limits are far above any real file (the largest item is about 12 KB, the taxonomy about 12 KB)
and far below what makes parsing costly: YAML becomes objects at tens of times its size.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

KIB, MIB = 1024, 1024 * 1024
ITEM_MAX_BYTES = 256 * KIB  # an item, working or published: some 40,000 words, beyond any readable item
REVIEW_MAX_BYTES = 256 * KIB  # a review: a title, dates, a trigger and findings
SOURCE_MAX_BYTES = 64 * KIB  # a source record: a citation and a few short paragraphs
CONFIG_MAX_BYTES = 1 * MIB  # taxonomy, publications, synonyms: short lists of terms
# An edition manifest lists every version it publishes (about 400 bytes each): 16 MiB holds some
# 40,000 new versions in one edition.
MANIFEST_MAX_BYTES = 16 * MIB


class UnsafeFile(Exception):
    """A file that must not be read; `code` and `message` make its problem."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


SYMLINK_MESSAGE = "symbolic links are not allowed in content/: replace the link with the file or folder itself"


def is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, or UnsafeFile if it is a link, not a regular file, or over `limit` bytes."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise UnsafeFile("missing-file", "file not found") from None
    except OSError as exc:
        raise UnsafeFile("unreadable-file", f"cannot read the file: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFile("symlink", SYMLINK_MESSAGE)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile("not-a-file", "this is not a regular file")
    if info.st_size > limit:
        raise UnsafeFile("file-too-large", _too_large(info.st_size, limit))
    try:
        # O_NOFOLLOW: had the file become a link since the check above, opening fails.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as file:
            data = file.read(limit + 1)  # never more than the limit, whatever stat said
    except OSError as exc:
        raise UnsafeFile("unreadable-file", f"cannot read the file: {exc.strerror}") from None
    if len(data) > limit:
        raise UnsafeFile("file-too-large", _too_large(len(data), limit))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"the file is {_size(size)}: files of this kind may be at most {_size(limit)}"


def _size(count: int) -> str:
    if count >= MIB and count % MIB == 0:
        return f"{count // MIB} MiB"
    if count >= KIB and count % KIB == 0:
        return f"{count // KIB} KiB"
    return f"{count:,} bytes"
