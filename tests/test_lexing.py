"""Lexing with joined rules gives exactly Pygments' tokens, and is what code blocks use."""

from __future__ import annotations

import inspect
import json.decoder
import random
import re
import subprocess
import sys
import textwrap
from typing import ClassVar

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Keyword, Name, Number, Punctuation, String, Text

from app.content import codeblocks, lexing
from tests.conftest import ROOT

#: Languages posts use most, and lexers with inline flags, back-references (bash's
#: heredocs), ``using(this)`` and ``default()`` states.
LANGUAGES = [
    "python", "pycon", "javascript", "typescript", "bash", "console", "css", "html", "json",
    "sql", "rust", "go", "java", "kotlin", "ruby", "php", "toml", "ini", "diff", "docker",
    "make", "xml", "lua", "haskell", "elixir", "yaml", "c", "cpp", "text",
]  # fmt: skip

SAMPLES = [
    inspect.getsource(json.decoder),
    inspect.getsource(textwrap),
    'x = rf"{a!r:>{w}}" + Rb"\\x00" + f"""{b}\n"""  # strings\n@dec\nasync def f(): ...\n',
    "cat <<-EOF > out\n  $HOME ${x:-1} $(ls | wc -l)\nEOF\necho 'a' \"b $c\"\n",
    'fn main<\'a>() { let r = r#"raw"#; println!("{}", 1_000u32); }\n',
    "<!doctype html><p class=x>a &amp; b<script>if (a < b) {}</script><!-- c -->\n",
    "SELECT a, count(*) FROM t WHERE b = 'x''y' GROUP BY a; -- done\n",
    '[tool]\nname = "x" # c\nlist = [1, 2.5, true, 1979-05-27T07:32:00Z]\n',
    "",
    "\n\n\t \n",
]


@pytest.fixture(autouse=True)
def _per_character_alternations_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Join every state and give every character its own alternation the first time, so
    short texts use them."""
    monkeypatch.setattr(lexing, "PROMOTE_AFTER", 1)
    monkeypatch.setattr(lexing, "JOIN_AFTER", 1)


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefxyz_019 \t\n\"'`#/*\\{}[]()<>=+-.,;:$@!?%&|^~rfbuRFBUSKé\u212a\u017f\x00\x1c"
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 300))) for _ in range(count)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_tokens_are_exactly_pygments(language: str) -> None:
    stock = get_lexer_by_name(language)
    fast = lexing.accelerate(get_lexer_by_name(language))
    for text in [*SAMPLES, *_random_texts(60, seed=len(language))]:
        assert list(fast.get_tokens(text)) == list(stock.get_tokens(text)), text[:80]


def test_rules_are_joined_into_few_regexes() -> None:
    lexer = lexing.accelerate(get_lexer_by_name("python"))
    cls = type(lexer)
    lexing._states.pop(cls, None)  # as in a new process
    states = lexing._states_of(cls)
    assert "root" not in states  # joined when a text first enters a state
    list(lexer.get_tokens("def f():\n    pass\n"))
    assert {"root", "funcname"} <= states.keys() < cls._tokens.keys()
    rules = sum(len(state) for state in cls._tokens.values())
    tried = sum(len(states[name]) for name in cls._tokens)
    assert tried * 3 < rules  # the point: far fewer matches tried per token
    assert lexer.get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed


def test_a_state_is_joined_once_texts_entered_it_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that lexes one block (an edit's sync) tries the rules one by one, as
    Pygments does, rather than compile them all again joined; a build of many joins."""
    monkeypatch.setattr(lexing, "JOIN_AFTER", 50)
    stock = get_lexer_by_name("python")
    lexer = lexing.accelerate(get_lexer_by_name("python"))
    cls = type(lexer)
    lexing._states.pop(cls, None)  # as in a new process
    states = lexing._states_of(cls)
    block = "def f(x):\n    return x + 1\n"
    assert list(lexer.get_tokens(block)) == list(stock.get_tokens(block))
    assert "root" not in states  # entered a few times: not joined yet
    text = inspect.getsource(textwrap)
    assert list(lexer.get_tokens(text)) == list(stock.get_tokens(text))
    assert "root" in states  # entered on every line: joined
    assert list(lexer.get_tokens(block)) == list(stock.get_tokens(block))


def test_a_back_reference_keeps_its_own_regex_and_its_place() -> None:
    class Quoted(RegexLexer):
        tokens: ClassVar = {
            "root": [
                (r"(?i)q", Keyword),
                (r"(['\"]).*?\1", String),
                (r"'", Punctuation),
                (r"\w+", Name),
                (r"\s+", Text),
            ]
        }

    stock, fast = Quoted(), lexing.accelerate(Quoted())
    segments = lexing.join_rules(Quoted._tokens["root"])
    assert len(segments) == 3  # joined, the back-reference alone, joined
    for text in ["'a' \"b\" Q 'c", "x 'y\" z'", *_random_texts(40, seed=3)]:
        assert list(fast.get_tokens(text)) == list(stock.get_tokens(text))


def test_verbose_rules_with_trailing_comments_are_joined_safely() -> None:
    class Verbose(RegexLexer):
        flags = re.VERBOSE | re.MULTILINE
        tokens: ClassVar = {
            "root": [(r"\d+  # digits", Number), (r"[a-z]+ # words", Name), (r"(?s).", Text)]
        }

    stock, fast = Verbose(), lexing.accelerate(Verbose())
    for text in ["ab 12 # c\nz9", *_random_texts(20, seed=4)]:
        assert list(fast.get_tokens(text)) == list(stock.get_tokens(text))


def test_code_blocks_lex_with_joined_rules_and_highlight_as_pygments_does() -> None:
    code = inspect.getsource(textwrap)[:3000]
    lexer = codeblocks._lexer("python")
    assert lexer.get_tokens_unprocessed.__qualname__.startswith("accelerate")
    expected = highlight(code, get_lexer_by_name("python"), codeblocks._formatter((), (), False, 1))
    assert codeblocks.highlight_code(code, codeblocks.parse_info("python")) == expected
    assert isinstance(codeblocks._formatter((), (), False, 1), HtmlFormatter)


@pytest.mark.parametrize(
    ("pattern", "flags", "chars", "empty"),
    [
        (r"(?i)select", 0, "Ss", False),
        (r"\s+", 0, " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", False),
        (r"(?=x)y", 0, "y", False),
        (r"(?<!\w)a*b", 0, "ab", False),
        (r"x?", 0, "x", True),
        (r"", 0, "", True),
        ("\u212a", re.IGNORECASE, "Kk", False),  # the Kelvin sign folds to ASCII letters
        (r"\b(?:def|class)\b", 0, "cd", False),
        (r"(?:\d+\.?\d*|\.\d+)", 0, ".0123456789", False),
        (r"[^\W\d]", re.ASCII, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz", False),
        (r"(a)\1", 0, "a", False),
    ],
)
def test_the_characters_a_rule_can_start_with(
    pattern: str, flags: int, chars: str, empty: bool
) -> None:
    found, can_be_empty = lexing._first_chars(pattern, flags)
    assert (sorted(map(chr, found)), can_be_empty) == (sorted(chars), empty)


def test_what_it_cannot_read_may_start_anywhere() -> None:
    assert lexing._first_chars(r"(a)?(?(1)b|c)", 0) == (lexing._ASCII, True)
    assert lexing._first_chars(r"(?P<q>')(?P=q)", 0)[0] == {ord("'")}


def test_a_character_gets_its_own_alternation_only_when_it_is_common(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Words(RegexLexer):
        tokens: ClassVar = {
            "root": [(r"\d+", Number), (r"if\b", Keyword), (r"[a-z]\w*", Name), (r"\s+", Text)]
        }

    monkeypatch.setattr(lexing, "PROMOTE_AFTER", 50)
    stock, fast = Words(), lexing.accelerate(Words())
    ((by_char, joined, _),) = lexing._states_of(Words)["root"]
    assert list(fast.get_tokens("if x 1\n")) == list(stock.get_tokens("if x 1\n"))
    assert by_char == {}  # a short text compiles nothing more
    text = "if x1 " * 60 + "2\n"
    assert list(fast.get_tokens(text)) == list(stock.get_tokens(text))
    assert set(by_char) == {"i", "x", " "}  # digits came up once
    assert joined.firsts is not None
    tried = {char: sorted(matcher[1].values(), key=Words._tokens["root"].index)
             for char, matcher in by_char.items()}  # fmt: skip
    rules = Words._tokens["root"]
    assert tried == {"i": [rules[1], rules[2]], "x": [rules[2]], " ": [rules[3]]}


def test_code_blocks_highlight_where_the_joined_lexer_cannot_be_imported() -> None:
    """A Python without ``re._parser`` (private) still highlights, with Pygments' own loop."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["app.content.lexing"] = None  # importing it raises ImportError
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
        from app.content.codeblocks import CSS_CLASS, Fence, _lexer, highlight_code
        assert "get_tokens_unprocessed" not in vars(_lexer("python"))  # Pygments' own
        code = "def f(x):\\n    return x + 1  # one\\n"
        formatter = HtmlFormatter(cssclass=CSS_CLASS, wrapcode=True)
        assert highlight_code(code, Fence("python")) == highlight(code, PythonLexer(), formatter)
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
