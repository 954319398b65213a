"""The ingest lock: an ``flock`` on ``ingest.lock`` in the data dir, released by the kernel when its holder dies
(even by SIGKILL), so a killed ingest never leaves a stale lock; a second ingest is refused naming the holder."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from rag.store.errors import IngestLockedError


def ingest_lock(data_dir: Path) -> IO[str]:
    """Hold the data dir's ingest lock until the returned file is closed; IngestLockedError when it is held."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = open(data_dir / "ingest.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise IngestLockedError(
            f"Another `rag ingest` ({holder}) is writing to {data_dir}; wait for it to finish "
            f"(the lock {data_dir / 'ingest.lock'} is released when that process exits)."
        ) from exc
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}")
    fh.flush()
    return fh
