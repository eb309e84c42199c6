"""Writing a whole file so that a reader never sees half of it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def write_replacing(path: str | Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` beside ``path`` and rename the result over it, so that readers see the
    old file or the new one, never half of one. A device or a pipe (``/dev/stdout``,
    ``/dev/full``, a FIFO) is written as it is: renaming over it would replace the device."""
    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open("wb") as f:
            f.writelines(chunks)
        return
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("wb") as f:
            f.writelines(chunks)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def directory_problem(directory: str | Path, exc: OSError) -> str:
    """Why an output directory cannot be made, in words: a file in the way says so."""
    path = Path(directory)
    if isinstance(exc, (FileExistsError, NotADirectoryError)) or (path.exists() and not path.is_dir()):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        return f"{directory} is not a directory: {blocker} is a file in the way"
    return f"cannot use output directory {directory}: {exc.strerror}"
