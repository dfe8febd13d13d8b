"""Giving memory back after a build: a read side is built from every record of its collection at
once, and the heap keeps that high-water mark (the raw documents, the indexing buffers) after
they are freed. glibc's ``malloc_trim`` returns the free pages to the system: at province scale
the API's RSS once ready went from about 315 MB to 265 MB. Elsewhere (musl, macOS) it does
nothing."""

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from typing import TypeVar, cast

logger = logging.getLogger("xuthanh.search.memory")

T = TypeVar("T")


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


def shared_values(value: T, table: dict[str, str]) -> T:
    """``value`` (a decoded document: dicts, lists, strings, scalars) with each string, keys
    included, replaced by the one equal string in ``table`` (added when new). Thousands of
    records repeating the same keys, codes and template texts then hold one copy of each."""
    if isinstance(value, str):
        return cast(T, table.setdefault(value, value))
    if isinstance(value, dict):
        return cast(
            T,
            {
                table.setdefault(k, k) if isinstance(k, str) else k: shared_values(v, table)
                for k, v in value.items()
            },
        )
    if isinstance(value, list):
        return cast(T, [shared_values(item, table) for item in value])
    return value
