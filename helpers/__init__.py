"""Helpers for the chapter 6 notebooks.

Notebooks start with ``import helpers; helpers.setup()`` and import what a cell uses from the
modules here (``helpers.data``, ``helpers.plots`` …).  The course's own machinery (settings,
downloads, saved runs, timers, exercise checks) lives in ``helpers._course``; no lesson needs it.
"""

from ._course.config import epochs, is_quick, pick, set_quick_mode, set_seed
from ._course.session import setup

__all__ = ["epochs", "is_quick", "pick", "set_quick_mode", "set_seed", "setup"]
