"""Generate a deterministic benchmark corpus of Markdown posts.

    python bench/corpus.py --n 1000 --seed 1 --out /tmp/corpus

Each post has 400-800 words, one fenced Python block and 1-4 of 50 tags, so microblog,
Pelican and Hugo can all build the same content.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

_VOCABULARY = (
    "static site build page post markdown python flask template render cache index feed "
    "author reader archive draft publish schedule theme style link anchor slug tag search "
    "fast simple small durable portable history review commit branch deploy host server "
    "file folder content front matter yaml date title summary body code block table list"
)
WORDS = _VOCABULARY.split()
TAGS = [f"topic-{i:02d}" for i in range(50)]
CODE = '''```python
def fib_{n}(limit: int) -> list[int]:
    """Fibonacci numbers below limit."""
    out, a, b = [], 0, 1
    while a < limit:
        out.append(a)
        a, b = b, a + b
    return out
```'''


def paragraph(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    sentences, i = [], 0
    while i < len(chosen):
        step = rng.randint(8, 16)
        sentence = " ".join(chosen[i : i + step])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        i += step
    return " ".join(sentences)


#: The date of the corpus's newest post.
END = datetime(2025, 12, 31)


def make_post(rng: random.Random, n: int, start: datetime) -> str:
    words = rng.randint(400, 800)
    paras, remaining = [], words
    while remaining > 0:
        size = min(remaining, rng.randint(60, 120))
        paras.append(paragraph(rng, size))
        remaining -= size
    paras.insert(min(2, len(paras)), CODE.replace("{n}", str(n)))
    tags = rng.sample(TAGS, rng.randint(1, 4))
    date = start + timedelta(hours=n * 7, minutes=rng.randint(0, 59))
    front = (
        f"---\ntitle: Post number {n}\ndate: {date:%Y-%m-%dT%H:%M:%S}\n"
        f"tags: [{', '.join(tags)}]\n---\n\n"
    )
    return front + "\n\n".join(paras) + "\n"


def generate(out: Path, n: int, seed: int) -> Path:
    """Write ``n`` posts into ``out/posts`` (replacing ``out``), identical for the same seed."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    posts = out / "posts"
    posts.mkdir(parents=True)
    (out / "pages").mkdir()
    # Every post in the past (seven hours apart up to the end of 2025), whenever the run:
    # a scheduled post has no page, so a later date would build a smaller site.
    start = END - timedelta(hours=7 * n)
    for i in range(n):
        (posts / f"post-{i:05d}.md").write_text(make_post(rng, i, start), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of posts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/.corpus"))
    args = parser.parse_args()
    generate(args.out, args.n, args.seed)
    print(f"wrote {args.n} posts to {args.out}")


if __name__ == "__main__":
    main()
