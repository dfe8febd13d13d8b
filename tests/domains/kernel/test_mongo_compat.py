"""PyMongo's topology lock survives a cancelled server selection (domains/kernel/mongo_compat.py).

Without the fix, a task cancelled twice while it waits on PyMongo's topology condition (a change
feed stopped while MongoDB is unreachable) left the lock taken, and the client's next operation
and its ``close()`` waited for ever.
"""

import asyncio

import pymongo.lock
from pymongo.asynchronous import topology

from domains.kernel import mongo_compat


async def _yield(times: int) -> None:
    for _ in range(times):
        await asyncio.sleep(0)


async def test_a_twice_cancelled_wait_leaves_the_topology_lock_free() -> None:
    mongo_compat.apply()
    assert topology._async_cond_wait is mongo_compat._cond_wait
    lock = pymongo.lock._async_create_lock()
    condition = pymongo.lock._async_create_condition(lock)

    async def select_server() -> None:
        # What PyMongo's server selection does while no server is known.
        async with condition:
            await topology._async_cond_wait(condition, 30)

    selecting = asyncio.create_task(select_server())
    await _yield(3)
    async with condition:  # another operation holds the lock meanwhile
        selecting.cancel()
        await _yield(2)
        selecting.cancel()
    await _yield(20)
    assert selecting.cancelled()
    assert not lock.locked(), "the cancelled selection kept the topology lock"
