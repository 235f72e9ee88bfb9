"""Helpers for the chapter 6 notebooks: data, plots, results and configuration.

Notebooks start with::

    import helpers
    helpers.setup()

and import what they use from the submodules (``helpers.data``, ``helpers.plots`` …).
"""

from .config import epochs, is_quick, pick, set_quick_mode, set_seed
from .session import setup

__all__ = ["epochs", "is_quick", "pick", "set_quick_mode", "set_seed", "setup"]
