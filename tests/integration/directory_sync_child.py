"""Run one directory sync in a child process (the kill test kills it mid-way).

Usage: python directory_sync_child.py API_BASE INDEX_PATH
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.directory.index import DirectoryIndex
from app.directory.sync import DirectorySync
from app.sandbox import DEMO_API_KEY
from app.stripe import ApiKey, StripeClient


async def main(api_base: str, path: str) -> None:
    with DirectoryIndex.open(Path(path)) as index:
        async with StripeClient(ApiKey(DEMO_API_KEY), api_base=api_base) as client:
            print("started", flush=True)
            await DirectorySync(client, index, concurrency=2).run(full=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
