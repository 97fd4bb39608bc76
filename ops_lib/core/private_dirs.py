"""Directories only their owner may enter: the config directory, its locks and recovery files.

Why
    A folder that another user can create, own or write is a folder where
    that user can pre-create a lock (and so block every run), swap a file
    for a symbolic link, or read what the suite writes. A fixed name in a
    shared place such as ``/tmp`` invites exactly that: whoever creates it
    first owns it. So the suite keeps its own state below the user's config
    directory and makes sure each of its folders is a real directory,
    belongs to the user running the suite, and has mode 0700.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ops_lib.core.errors import ConfigurationError

PRIVATE_MODE = 0o700


def private_directory(path: Path | str, *, allow_symlink: bool = False) -> Path:
    """Create ``path`` (mode 0700) or check an existing one, tightening its mode to 0700.

    Parameters
    ----------
    path:
        The directory; missing parents are created as well.
    allow_symlink:
        Accept a symbolic link to a directory of the user's own (a config
        directory the user moved elsewhere). Lock directories refuse links.

    Raises
    ------
    ConfigurationError
        When the path is not a directory, is a link where none is allowed,
        belongs to another user, or cannot be created or tightened.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_MODE)
        linked = stat.S_ISLNK(os.lstat(path).st_mode)
        info = os.stat(path)
    except FileExistsError:
        raise ConfigurationError(f"{path} exists and is not a directory; the suite needs a directory there") from None
    except OSError as exc:
        raise ConfigurationError(f"The directory {path} could not be created ({exc.strerror})") from None
    if linked and not allow_symlink:
        raise ConfigurationError(f"{path} is a symbolic link; the suite keeps its locks only in a real directory "
                                 "of your own, so remove the link")
    if not stat.S_ISDIR(info.st_mode):
        raise ConfigurationError(f"{path} is not a directory; the suite needs a directory there")
    if info.st_uid != os.getuid():
        raise ConfigurationError(f"{path} belongs to another user (uid {info.st_uid}); the suite keeps tokens and "
                                 "locks only in a directory of your own: set OPS_CONFIG_DIR to one")
    if stat.S_IMODE(info.st_mode) != PRIVATE_MODE:
        try:
            os.chmod(path, PRIVATE_MODE)
        except OSError as exc:
            raise ConfigurationError(f"The directory {path} could not be made private (mode 0700): "
                                     f"{exc.strerror}") from None
    return path
