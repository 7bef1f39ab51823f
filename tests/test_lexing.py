"""Lexing with joined rules gives exactly Pygments' tokens, and is what code blocks use."""

from __future__ import annotations

import inspect
import json.decoder
import random
import re
import textwrap
from typing import ClassVar

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Keyword, Name, Number, Punctuation, String, Text

from app.content import codeblocks, lexing

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


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefxyz_019 \t\n\"'`#/*\\{}[]()<>=+-.,;:$@!?%&|^~rfbuRFBU"
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
