"""Handing freed memory back to the operating system between projection batches.

A batch allocates and frees many short-lived strings of every size (event payloads, state texts, SQL rows).
glibc's malloc keeps the freed space in its arenas, fragmented, so a long rebuild's resident memory keeps
growing although Python holds little (measured: 573 MB resident for ~40 MB of live objects at 300k events;
2.6 GB at 1M). `malloc_trim(0)` returns the free pages at the end of each batch (~1 ms); where the C library
is not glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Callable


@cache
def _trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_freed_memory() -> None:
    trim = _trim()
    if trim is not None:
        trim(0)
