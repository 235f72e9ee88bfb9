"""직접 해 보기: the checks behind each notebook's exercises.

A notebook's exercise has a cell the student fills in (``answer = None  # 여기에 …``) and a
check cell, ``print(check("6.4-1", answer))``, which says 정답 or 다시 해 보세요 with a hint,
without giving the answer away.  Each check is a function registered here under its
exercise's id with :func:`exercise`; the solutions live in ``solutions/<section>.py``, and
``tests/test_exercises.py`` runs every solution through its check, so a check cannot be wrong.

To add an exercise: write its check in its section's module (``helpers/exercises/section_6_N.py``),
decorated with ``@exercise("6.N-k", hint="…")``; it takes the student's answer and returns True
when it is right (or raises ``ValueError`` with a short Korean reason when it is wrong in a way
worth naming, e.g. through :func:`number`); add the solution to ``solutions/6.N.py``.
"""

from __future__ import annotations

_CHECKS: dict = {}
_NOT_YET = "아직 답이 없습니다: 위 셀의 빈칸(None)을 채우고, 그 셀과 이 셀을 다시 실행하세요."


def exercise(exercise_id: str, *, hint: str):
    """Register the decorated function as the check of ``exercise_id``.

    Example:
        >>> @exercise("0.0-1", hint="3 × 3을 계산해 보세요.")
        ... def _nine(answer):
        ...     return answer == 9
        >>> check("0.0-1", 9)
        '정답입니다! (0.0-1)'
    """
    def register(function):
        if exercise_id in _CHECKS and _CHECKS[exercise_id][0].__qualname__ != function.__qualname__:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _CHECKS[exercise_id] = (function, hint)
        return function

    return register


def check(exercise_id: str, answer) -> str:
    """The verdict on ``answer`` for exercise ``exercise_id``: 정답, or 다시 해 보세요 with a hint.

    Example:
        >>> @exercise("0.0-2", hint="2의 10제곱입니다.")
        ... def _kilo(answer):
        ...     return answer == 1024
        >>> check("0.0-2", None) == _NOT_YET, check("0.0-2", 1000)
        (True, '다시 해 보세요. 힌트: 2의 10제곱입니다.')
    """
    if exercise_id not in _CHECKS:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(_CHECKS)) or 'none'}")
    if answer is None:
        return _NOT_YET
    function, hint = _CHECKS[exercise_id]
    try:
        right = function(answer)
    except ValueError as reason:
        return f"다시 해 보세요: {reason} 힌트: {hint}"
    return f"정답입니다! ({exercise_id})" if right else f"다시 해 보세요. 힌트: {hint}"


def number(answer, expected: str, *, integral: bool = False):
    """``answer`` if it is a number (a whole number with ``integral=True``), else a ``ValueError``
    saying ``expected`` — the reason :func:`check` shows the student.

    Example:
        >>> number(3, "커널 수를 정수 하나로", integral=True)
        3
        >>> number("3", "커널 수를 정수 하나로", integral=True)
        Traceback (most recent call last):
        ValueError: 커널 수를 정수 하나로 쓰세요 (지금: '3').
    """
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral if integral else numbers.Real):
        raise ValueError(f"{expected} 쓰세요 (지금: {answer!r}).")
    return int(answer) if integral else answer


# The checks of each notebook register themselves when their module is imported.
from . import section_6_4, section_6_5, section_6_6, section_6_7, section_6_8  # noqa: E402,F401
