"""One page of a list of posts, with what templates use of Flask-SQLAlchemy's ``Pagination``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app

from app import recording


def pages_for(total: int, per_page: int | None = None) -> int:
    """How many list pages ``total`` posts fill (at least one, so an empty site has an index)."""
    return max(1, math.ceil(total / (per_page or current_app.config["POSTS_PER_PAGE"])))


def list_page(posts: Sequence[Any], page: int) -> ListPage | None:
    """Page ``page`` of an in-memory list of posts; None past either end."""
    per_page = current_app.config["POSTS_PER_PAGE"]
    items = list(posts[(page - 1) * per_page : page * per_page])
    found = ListPage(items=items, page=page, per_page=per_page, total=len(posts))
    return found if 1 <= page <= found.pages else None


@dataclass(frozen=True)
class ListPage:
    """One page of an in-memory list, with the attributes templates use from ``Pagination``."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return pages_for(self.total, self.per_page)

    def __identity__(self) -> list[Any]:
        return ["list", recording.identity(self.items), self.page, self.per_page, self.total]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None
