"""Pygments lexing with one regex per lexer state instead of one per rule.

A Pygments ``RegexLexer`` tries each rule of the current state in order, one ``re.match``
call from Python per rule, at every token: an 8-line Python block costs some 3 000 calls.
Here the rules of a state are joined into one alternation ``(?P<_mb0>rule0)|(?P<_mb1>rule1)...``
that ``re`` tries in C. An alternation at one position matches with the first alternative
that matches, which is exactly the rule Pygments would pick; ``lastindex`` (the outermost
group, closed last) names it. The rule's own regex then runs once more only when its
action needs its groups (``bygroups``, callbacks). The tokens are the same as Pygments'
(tests compare both on many lexers and on random text).

An alternation still tries its alternatives one after the other at each token, most of
which cannot match there: a number's rule at a letter. So each joined state also keeps, per
ASCII character, an alternation of only the rules that can match at that character (those
that can start with it, or match nothing); which ones can is read off the parsed regex
(``_first_chars``), and each character a rule can start with is found by ``re`` itself.
Leaving out rules that cannot match changes nothing: the first that matches is the same.

States whose rules cannot be joined (back-references, which name groups by number, and
patterns that do not compile joined) keep Pygments' loop; lexers that are not plain
``RegexLexer`` subclasses are used as they are.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

#: A rule of a processed Pygments state: (bound ``Pattern.match``, action, new state).
Rule = tuple[Any, Any, Any]
#: A joined regex's ``match`` and its rules by group number.
Matcher = tuple[Any, dict[int, Rule]]
#: Part of a state, tried in order: the joined regexes by the character at the position
#: (with the ``Joined`` that makes those not made yet), or one rule's own ``match`` with
#: that rule.
Segment = tuple[Any, "Joined | None", Rule | None]

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


_ASCII = frozenset(range(128))
#: Whole-regex flags a single character's match depends on.
_CHAR_FLAGS = re.IGNORECASE | re.DOTALL | re.ASCII
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


class _UnknownError(Exception):
    """A regex construct whose first character is not worked out: any may start it."""


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def _one_char_regex(op: Any, av: Any) -> str:
    """A regex matching one character as the parsed item ``(op, av)`` does."""
    if op is sre.LITERAL:
        return _char(av)
    if op is sre.NOT_LITERAL:
        return f"[^{_char(av)}]"
    if op is sre.ANY:
        return "."
    if op is sre.IN:
        parts: list[str] = []
        for item_op, item in av:
            if item_op is sre.NEGATE:
                parts.insert(0, "^")
            elif item_op is sre.LITERAL:
                parts.append(_char(item))
            elif item_op is sre.RANGE:
                parts.append(f"{_char(item[0])}-{_char(item[1])}")
            elif item_op is sre.CATEGORY and item in _CATEGORIES:
                parts.append(_CATEGORIES[item])
            else:
                raise _UnknownError(item_op)
        return f"[{''.join(parts)}]"
    raise _UnknownError(op)


@lru_cache(maxsize=4096)
def _ascii_matching(regex: str, flags: int) -> frozenset[int]:
    """The ASCII characters a one-character regex matches, as ``re`` says."""
    match = re.compile(regex, flags).match
    return frozenset(code for code in _ASCII if match(chr(code)))


def _first_of(items: Sequence[tuple[Any, Any]], flags: int) -> tuple[frozenset[int], bool]:
    """ASCII characters a match of the parsed ``items`` can start with, and whether it can
    match the empty string (then it may match wherever it is tried)."""
    chars: set[int] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:  # anchors and lookarounds consume nothing: look further
            continue
        if op is sre.SUBPATTERN:
            _group, add, remove, body = av
            found, empty = _first_of(body, (flags | add) & ~remove)
        elif op is sre.BRANCH:
            firsts = [_first_of(branch, flags) for branch in av[1]]
            found = frozenset().union(*(first for first, _ in firsts))
            empty = any(empty for _, empty in firsts)
        elif op in _REPEATS:
            low, high, body = av
            found, empty = _first_of(body, flags) if high else (frozenset(), True)
            empty = empty or low == 0
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            found, empty = _first_of(av, flags)
        else:  # one character, or a construct we do not look into (raises _UnknownError)
            found, empty = _ascii_matching(_one_char_regex(op, av), flags & _CHAR_FLAGS), False
        chars |= found
        if not empty:
            return frozenset(chars), False
    return frozenset(chars), True


def _first_chars(source: str, flags: int) -> tuple[frozenset[int], bool]:
    """What ``_first_of`` says of a regex; any ASCII character when it cannot tell."""
    try:
        parsed = sre_parse.parse(source, flags)
        return _first_of(parsed, parsed.state.flags)
    except (_UnknownError, re.error, RecursionError, AttributeError, TypeError, ValueError):
        return _ASCII, True


def _compile_run(run: Sequence[tuple[Rule, str]], flags: int) -> Matcher | None:
    end = "\n)" if flags & re.VERBOSE else ")"  # a trailing ``# comment`` must not eat ``)``
    parts = [f"(?P<{_GROUP}{i}>{source}{end}" for i, (_, source) in enumerate(run)]
    try:
        joined = re.compile("|".join(parts), flags)
    except (re.error, RecursionError, OverflowError):
        return None
    table = {joined.groupindex[f"{_GROUP}{i}"]: rule for i, (rule, _) in enumerate(run)}
    return joined.match, table


def _no_match(text: str, pos: int) -> None:
    return None


#: Tokens at one character in one state before that character gets its own alternation:
#: compiling one costs as much as some 2 000 tokens gain, so a short text compiles none.
PROMOTE_AFTER = 200


class Joined:
    """A run of rules joined into one regex and, for an ASCII character seen often enough at
    the start of a token, the alternation of only the rules that can match there."""

    def __init__(self, run: list[tuple[Rule, str]], flags: int, full: Matcher) -> None:
        self.run, self.flags, self.full = list(run), flags, full
        self.seen: dict[str, int] = {}
        self.firsts: list[tuple[frozenset[int], bool]] | None = None
        self.by_subset: dict[tuple[int, ...], Matcher] = {}
        #: The alternation for the character at a position, once it has its own.
        self.by_char: dict[str, Matcher] = {}

    def matcher(self, char: str) -> Matcher:
        """The alternation to try at ``char`` ("": at the end of the text)."""
        code = ord(char) if len(char) == 1 else -1
        if not 0 <= code < 128:  # the end of the text, or beyond ASCII: every rule
            return self.full
        seen = self.seen[char] = self.seen.get(char, 0) + 1
        if seen < PROMOTE_AFTER:
            return self.full
        if self.firsts is None:
            self.firsts = [_first_chars(source, self.flags) for _, source in self.run]
        subset = tuple(i for i, (chars, empty) in enumerate(self.firsts) if empty or code in chars)
        found = self.by_subset.get(subset)
        if found is None:
            found = self.by_subset[subset] = self._compile(subset)
        self.by_char[char] = found
        return found

    def _compile(self, subset: tuple[int, ...]) -> Matcher:
        if not subset:
            return _no_match, {}
        if len(subset) == len(self.run):
            return self.full
        return _compile_run([self.run[i] for i in subset], self.flags) or self.full


def _alone(rule: Rule) -> Segment:
    """A rule tried on its own, as Pygments tries it."""
    return rule[0], None, rule


def _join(run: list[tuple[Rule, str]], flags: int) -> Segment | None:
    if len(run) == 1:
        return _alone(run[0][0])
    full = _compile_run(run, flags)
    if full is None:
        return None
    joined = Joined(run, flags, full)
    return joined.by_char, joined, None


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
            segments.extend(_alone(rule) for rule, _ in run)
        run.clear()

    for rule in rules:
        joinable = _joinable(rule)
        if joinable is None:
            flush()
            run_flags = None
            segments.append(_alone(rule))
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


#: Times a text enters a state before its rules are joined: joining compiles them all again
#: (Python's root state ~30 ms), which a process that lexes one code block (an edit's sync)
#: never earns back; a build of many blocks joins its states within its first few blocks.
JOIN_AFTER = 200


class _States(dict[str, list[Segment]]):
    """A lexer class's states, each joined once texts have entered it ``JOIN_AFTER`` times
    (before, its rules are tried one by one, as Pygments does): joining costs a compile of
    every rule again (Python's 49 states, 0.5 s), and a block visits few."""

    def __init__(self, cls: type[RegexLexer]) -> None:
        super().__init__()
        self.tokens: dict[str, list[Rule]] = cls._tokens  # type: ignore[attr-defined]  # set by its metaclass
        self.entered: dict[str, int] = {}
        self.plain: dict[str, list[Segment]] = {}

    def __missing__(self, name: str) -> list[Segment]:
        entered = self.entered[name] = self.entered.get(name, 0) + 1
        if entered < JOIN_AFTER:
            found = self.plain.get(name)
            if found is None:
                found = self.plain[name] = [_alone(rule) for rule in self.tokens[name]]
            return found
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
    lexer: RegexLexer, text: str, stack: Iterable[str] = ("root",)
) -> Iterator[tuple[int, _TokenType, str]]:
    """``RegexLexer.get_tokens_unprocessed`` with a state's rules tried in one regex."""
    states = _states_of(type(lexer))
    pos = 0
    statestack = list(stack)
    state = states[statestack[-1]]
    while True:
        for lookup, joined, rule in state:
            if joined is None:  # one rule on its own
                found = lookup(text, pos)
                if found:
                    break
                continue
            char = text[pos : pos + 1]
            match, table = lookup.get(char) or joined.matcher(char)
            found = match(text, pos)
            if found:
                rule = table[found.lastindex]
                break
        else:
            found = None
        if found is not None:
            assert rule is not None  # a lone rule's segment holds it; a joined one's is looked up
            rule_match, action, new_state = rule
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, found.group()
                else:  # the action reads the rule's own groups
                    yield from action(lexer, found if joined is None else rule_match(text, pos))
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
        text: str, stack: Iterable[str] = ("root",)
    ) -> Iterator[tuple[int, _TokenType, str]]:
        return _tokens(lexer, text, stack)

    lexer.get_tokens_unprocessed = get_tokens_unprocessed  # type: ignore[method-assign]
    return lexer
