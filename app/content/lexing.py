"""Pygments lexing with one regex per lexer state instead of one per rule.

A Pygments ``RegexLexer`` tries each rule of the current state in order, one ``re.match``
call from Python per rule, at every token: an 8-line Python block costs some 3 000 calls.
Here the rules of a state are joined into one alternation ``(?P<_mb0>rule0)|(?P<_mb1>rule1)...``
that ``re`` tries in C. An alternation at one position matches with the first alternative
that matches, which is exactly the rule Pygments would pick; ``lastindex`` (the outermost
group, closed last) names it. The rule's own regex then runs once more only when its
action needs its groups (``bygroups``, callbacks). The tokens are the same as Pygments'
(tests compare both on many lexers and on random text).

States whose rules cannot be joined (back-references, which name groups by number, and
patterns that do not compile joined) keep Pygments' loop; lexers that are not plain
``RegexLexer`` subclasses are used as they are.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

#: A rule of a processed Pygments state: (bound ``Pattern.match``, action, new state).
Rule = tuple[Any, Any, Any]
#: Part of a state, tried in order: a joined regex's ``match`` with its rules by group
#: number, or one rule's own ``match`` with that rule.
Segment = tuple[Any, dict[int, Rule] | None, Rule | None]

_GROUP = "_mb"
#: A pattern's leading global flags, ``(?i)``: only valid at the start of a whole regex.
_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
#: Back-references (``\1``, ``(?P=name)``) would name the wrong group once rules are joined.
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
_states: dict[type[RegexLexer], _States] = {}
_lock = threading.Lock()


def _flags_of(letters: str) -> int:
    return re.compile(f"(?{letters})").flags


def _joinable(rule: Rule) -> tuple[str, int | None] | None:
    """A rule's regex as it can stand in an alternation, and the flags it needs (None:
    any), or None if it must be tried on its own."""
    pattern = getattr(rule[0], "__self__", None)
    if not isinstance(pattern, re.Pattern) or _BACKREFERENCE.search(pattern.pattern):
        return None
    source, flags = pattern.pattern, pattern.flags
    if not source:  # ``default(state)``: an empty pattern, compiled without the lexer's flags
        return source, None
    leading = _LEADING_FLAGS.match(source)
    if leading:  # ``(?i)rest`` becomes ``(?i:rest)``: its flags are no longer the whole regex's
        inline = _flags_of(leading[1])
        flags &= ~inline | re.UNICODE
        end = "\n" if inline & re.VERBOSE else ""
        source = f"(?{leading[1]}:{source[leading.end() :]}{end})"
    return source, flags


def _join(run: list[tuple[Rule, str]], flags: int) -> Segment | None:
    if len(run) == 1:
        return run[0][0][0], None, run[0][0]
    end = "\n)" if flags & re.VERBOSE else ")"  # a trailing ``# comment`` must not eat ``)``
    parts = [f"(?P<{_GROUP}{i}>{source}{end}" for i, (_, source) in enumerate(run)]
    try:
        joined = re.compile("|".join(parts), flags)
    except (re.error, RecursionError, OverflowError):
        return None
    table = {joined.groupindex[f"{_GROUP}{i}"]: rule for i, (rule, _) in enumerate(run)}
    return joined.match, table, None


def join_rules(rules: list[Rule]) -> list[Segment]:
    """One state's rules as few alternations as they can be joined in, in their order."""
    segments: list[Segment] = []
    run: list[tuple[Rule, str]] = []
    run_flags: int | None = None

    def flush() -> None:
        if not run:
            return
        joined = _join(run, run_flags or 0)
        if joined is not None:
            segments.append(joined)
        else:  # as Pygments has them
            segments.extend((rule[0], None, rule) for rule, _ in run)
        run.clear()

    for rule in rules:
        joinable = _joinable(rule)
        if joinable is None:
            flush()
            run_flags = None
            segments.append((rule[0], None, rule))
            continue
        source, flags = joinable
        if flags is not None and run_flags is not None and flags != run_flags:
            flush()
            run_flags = None
        if flags is not None:
            run_flags = flags
        run.append((rule, source))
    flush()
    return segments


class _States(dict[str, list[Segment]]):
    """A lexer class's states, each joined the first time a text enters it: joining costs
    a compile of every rule again (Python's 49 states, 0.5 s), and a block visits few."""

    def __init__(self, cls: type[RegexLexer]) -> None:
        super().__init__()
        self.tokens: dict[str, list[Rule]] = cls._tokens

    def __missing__(self, name: str) -> list[Segment]:
        segments = self[name] = join_rules(self.tokens[name])
        return segments


def _states_of(cls: type[RegexLexer]) -> _States:
    states = _states.get(cls)
    if states is None:
        with _lock:
            states = _states.setdefault(cls, _States(cls))
    return states


def _next_state(stack: list[str], new_state: Any) -> None:
    """Apply a rule's state change to ``stack``, as ``RegexLexer`` does."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):  # pop, keeping at least one state
        if abs(new_state) >= len(stack):
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])
    else:
        raise ValueError(f"wrong state definition: {new_state!r}")


def _tokens(
    lexer: RegexLexer, text: str, stack: tuple[str, ...] = ("root",)
) -> Iterator[tuple[int, Any, str]]:
    """``RegexLexer.get_tokens_unprocessed`` with a state's rules tried in one regex."""
    states = _states_of(type(lexer))
    pos = 0
    statestack = list(stack)
    state = states[statestack[-1]]
    while True:
        for matcher, table, rule in state:
            found = matcher(text, pos)
            if found:
                if table is not None:
                    rule = table[found.lastindex]
                break
        else:
            found = None
        if found is not None:
            rule_match, action, new_state = rule
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, found.group()
                else:  # the action reads the rule's own groups
                    yield from action(lexer, found if table is None else rule_match(text, pos))
            pos = found.end()
            if new_state is not None:
                _next_state(statestack, new_state)
                state = states[statestack[-1]]
        elif pos >= len(text):
            break
        elif text[pos] == "\n":  # at the end of a line, back to "root"
            statestack = ["root"]
            state = states["root"]
            yield pos, Whitespace, "\n"
            pos += 1
        else:
            yield pos, Error, text[pos]
            pos += 1


def accelerate(lexer: Lexer) -> Lexer:
    """``lexer``, lexing with joined rules when it is a plain ``RegexLexer``."""
    if type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed:
        return lexer  # ExtendedRegexLexer, hand-written lexers: their own loop
    assert isinstance(lexer, RegexLexer)

    def get_tokens_unprocessed(
        text: str, stack: tuple[str, ...] = ("root",)
    ) -> Iterator[tuple[int, Any, str]]:
        return _tokens(lexer, text, stack)

    lexer.get_tokens_unprocessed = get_tokens_unprocessed  # type: ignore[method-assign]
    return lexer
