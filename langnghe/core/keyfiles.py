"""Keys generated on first start (development and the demo; production takes them from the
environment, `langnghe serve` refuses otherwise): each file is created exclusively, readable by
its owner only, and appears whole or not at all — two processes starting together end up with
the same key, never one each.

Imported by the settings, so nothing here imports Django.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

OWNER_ONLY = 0o600


def key_file(path: Path, generate: Callable[[], str]) -> str:
    """The key kept in ``path``, made with ``generate()`` if there is none yet.

    The new key is written to a private temporary file (mode 0600 from its creation, never
    group- or world-readable) and then hard-linked to ``path``: the link is made only if
    ``path`` does not exist, atomically, so a reader never sees a half-written key; the
    process that loses the race reads the winner's key."""
    if not path.exists():
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            os.fchmod(descriptor, OWNER_ONLY)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(generate() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process made it first: its key is the one
        finally:
            os.unlink(temporary)
    if path.stat().st_mode & 0o077:  # a key file left readable by others (an older version)
        path.chmod(OWNER_ONLY)
    return path.read_text().strip()
