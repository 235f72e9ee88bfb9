"""The course's machinery: settings, downloads, datasets, saved runs, timers, exercise checks.

No lesson needs to open these modules; the notebooks call what they teach from ``helpers``.
"""
