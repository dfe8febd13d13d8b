"""Giving memory back after a build: a read side is built from every record of its collection at
once, and the heap keeps that high-water mark (the raw documents, the indexing buffers) after
they are freed. glibc's ``malloc_trim`` returns the free pages to the system: at province scale
the API's RSS once ready went from about 315 MB to 265 MB. Elsewhere (musl, macOS) it does
nothing."""

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

logger = logging.getLogger("xuthanh.search.memory")


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()


def release_free_memory() -> bool:
    """Return the heap's free pages to the system (blocks for a few milliseconds: call it from
    a thread). False where the C library has no ``malloc_trim``."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
