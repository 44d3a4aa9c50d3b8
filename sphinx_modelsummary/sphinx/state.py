"""Where a docs build keeps its state: two places, each for its own kind.

- What a page produced, which must survive pickling and ``-j`` merges (labelled
  models, check results, problems, role uses, snapshot entries used), is the
  domain's data (:mod:`.domain`).
- The rest belongs to one Sphinx application in one process: its checked
  settings, its engine (worker processes), the lockfile entries it read and the
  pages it reads. That is one :class:`BuildState`, made at ``config-inited`` and
  kept on the application's config, which every directive, role, event handler
  and builder reaches (Sphinx 9 deprecates ``env.app``) and ``-j`` processes
  inherit when forked. Its attribute name is private, so Sphinx neither pickles
  nor compares it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sphinx.application import Sphinx
from sphinx.config import Config

from .config import Settings, check_config

if TYPE_CHECKING:  # the engine is imported when a page first needs it (:mod:`.engines`)
    from ..engine import Engine
    from ..lockfile import LockEntry

#: The attribute of the config that holds the :class:`BuildState`.
_ATTRIBUTE = "_modelsummary_state"


@dataclass
class BuildState:
    """One application's state in this process, besides what the domain keeps."""

    settings: Settings
    #: Made on first use (:func:`.engines.engine_for`), closed when the build finishes.
    engine: Engine | None = None
    #: Lockfile entries by path and modification time: each version is read once.
    lockfiles: dict[tuple[str, float], dict[str, LockEntry]] = field(default_factory=dict)
    #: The pages this build reads (``env-before-read-docs``), for the closing count.
    reading: set[str] = field(default_factory=set)


def begin(app: Sphinx, config: Config) -> None:
    """``config-inited``: check the config and keep its settings in a new state."""
    setattr(config, _ATTRIBUTE, BuildState(check_config(app, config)))


def state_of(config: Config) -> BuildState:
    return getattr(config, _ATTRIBUTE)


def settings_of(config: Config) -> Settings:
    """The build's checked ``modelsummary_*`` values: read these, never ``config`` itself."""
    return state_of(config).settings


def setup(app: Sphinx) -> None:
    app.connect("config-inited", begin)
