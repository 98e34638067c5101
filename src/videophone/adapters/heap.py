"""The process's garbage collector: settled after start-up, paused around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_paused = 0  # blocks inside collection_paused(), nested or concurrent (asyncio tasks)
_reenable = False


def settle() -> None:
    """Collect once, then move everything alive after start-up (modules, the app, its routes and
    models, compiled statements) out of the garbage collector's sight (``gc.freeze``).

    Those objects live as long as the process.  Left in the collected generations, every full
    collection walked all of them: a pause of 120-180 ms on the event loop every few seconds of
    calls, which every message in flight waited out (the p99 of invite→ringing).  Afterwards a full
    collection only walks what was allocated since."""
    gc.collect()
    gc.freeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs.

    A bill run or a period's rating allocates millions of short-lived objects (calls, charges, lines,
    amounts), most of them in lists that live until the end of a chunk.  The collector, triggered
    by the allocations, walked them and the rest of the heap again and again: a third of the run's
    time.  Reference counting still frees everything acyclic at once; cycles made meanwhile are
    collected after the last paused block ends.  Blocks may nest or overlap (asyncio tasks): the
    collector comes back on when the last one ends, if it was on before the first."""
    global _paused, _reenable
    if _paused == 0:
        _reenable = gc.isenabled()
        gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0 and _reenable:
            gc.enable()
