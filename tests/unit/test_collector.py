"""The collector owned by one thread: automatic collection off, collections on the owner only."""

import asyncio
import gc
import threading

from app.collector import OwnedCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collections_happen_on_the_owner_thread_only():
    freed_on: list[str] = []

    class Watched(Cycle):
        def __del__(self) -> None:
            freed_on.append(threading.current_thread().name)

    collector = OwnedCollector().start()
    try:
        assert not gc.isenabled()

        def churn() -> None:  # another thread allocating far past every threshold
            Watched()
            for _ in range(100_000):
                Cycle()

        thread = threading.Thread(target=churn, name="other")
        thread.start()
        thread.join(30)
        assert freed_on == []  # nothing was collected on the other thread
        assert collector.tick() is not None  # the counts are past the threshold: due here
        while collector.tick() is not None:
            pass
        gc.collect()
        assert freed_on == [threading.current_thread().name]
        result = []
        off_owner = threading.Thread(target=lambda: result.append(collector.tick()))
        off_owner.start()
        off_owner.join(10)
        assert result == [None]  # a tick off the owner thread does nothing
    finally:
        collector.stop()
    assert gc.isenabled() and not collector.active


def test_nothing_is_collected_when_nothing_is_due():
    with OwnedCollector() as collector:
        gc.collect()
        assert collector.tick() is None and collector.collections == [0, 0, 0]


def test_run_on_a_loop_ticks_until_stopped():
    collector = OwnedCollector().start()
    loop = asyncio.new_event_loop()
    try:
        collector.run_on(loop, interval=0.001)

        async def make_garbage() -> None:
            for _ in range(20):
                for _ in range(5_000):
                    Cycle()
                await asyncio.sleep(0.002)

        loop.run_until_complete(make_garbage())
        assert sum(collector.collections) > 0
    finally:
        collector.stop()
        loop.close()
    assert gc.isenabled()


def test_a_collector_started_while_collection_was_off_leaves_it_off():
    gc.disable()
    try:
        with OwnedCollector():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
