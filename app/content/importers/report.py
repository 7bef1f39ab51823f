"""What an import did or would do: posts, problems with file:line, fields, media."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing to look at: where it is in the source, what is wrong, what to do."""

    source: str
    line: int | None
    message: str
    hint: str = ""
    error: bool = False

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class PostLine:
    """One imported document: where it came from and where it will be."""

    source: str
    line: int | None
    kind: str
    slug: str
    url: str
    path: str
    draft: bool
    aliases: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        state = " (draft)" if self.draft else ""
        text = f"{self.kind} {self.url}{state} <- {where} -> content/{self.path}"
        return text + (f"; redirects from {', '.join(self.aliases)}" if self.aliases else "")


@dataclass
class Report:
    """Filled in by an importer and the shared steps; printed in full by ``--dry-run``."""

    kind: str
    source: str
    posts: list[PostLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: 'source field -> our field' and how many documents had it.
    mapped: Counter[str] = field(default_factory=Counter)
    #: Source fields we do not keep, and how many documents had them.
    dropped: Counter[str] = field(default_factory=Counter)
    #: (source file, content/media/name) of each file copied.
    media_copied: list[tuple[str, str]] = field(default_factory=list)
    #: (where it is referenced, the reference) of each file not in the export.
    media_missing: list[tuple[str, str]] = field(default_factory=list)
    #: (where, link) of each link into the old site that no imported post answers.
    not_imported: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    #: What the sync after the import said of the files written, as the site renders them
    #: (text the HTML sanitizer removed, other generators' template tags), by content file.
    rendered: list[str] = field(default_factory=list)

    def warn(self, source: str, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(source, line, message, hint))

    def fail(self, source: str, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(source, line, message, hint, error=True))

    def map(self, source_field: str, ours: str) -> None:
        self.mapped[f"{source_field} -> {ours}"] += 1

    def drop(self, source_field: str) -> None:
        self.dropped[source_field] += 1

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def _not_imported(self) -> list[str]:
        """Links into the old site's other pages, and the setting that lets the build pass."""
        if not self.not_imported:
            return []
        prefixes = sorted(
            {"/" + link.strip("/").split("/")[0] + "/" for _, link in self.not_imported}
        )
        out = [
            f"links to old pages that are not imported ({len(self.not_imported)}): the build's "
            "link check reports them; fix them, or let them pass as warnings with "
            f"LINK_CHECK_IGNORE={','.join(prefixes)}"
        ]
        return out + [f"  {where}: {link}" for where, link in self.not_imported]

    def lines(self, *, dry_run: bool) -> list[str]:
        """The whole report as text lines, sections in a fixed order."""
        out = [f"Import of {self.kind} from {self.source}:"]
        drafts = sum(p.draft for p in self.posts)
        out.append(f"{len(self.posts)} document(s), {drafts} of them draft(s):")
        out += [f"  {p}" for p in self.posts]
        if self.skipped:
            out.append("skipped:")
            out += [f"  {s}" for s in self.skipped]
        if self.mapped:
            out.append("fields mapped:")
            out += [f"  {name} ({n}x)" for name, n in sorted(self.mapped.items())]
        if self.dropped:
            out.append("fields dropped (not kept):")
            out += [f"  {name} ({n}x)" for name, n in sorted(self.dropped.items())]
        if self.media_copied:
            out.append(f"media copied into content/media/ ({len(self.media_copied)}):")
            out += [f"  {src} -> {dest}" for src, dest in self.media_copied]
        if self.media_missing:
            out.append(f"media missing from the export ({len(set(self.media_missing))}):")
            out += [f"  {where}: {ref}" for where, ref in dict.fromkeys(self.media_missing)]
        out += self._not_imported()
        for label, error in (("errors", True), ("warnings", False)):
            found = [p for p in self.problems if p.error is error]
            if found:
                out.append(f"{label} ({len(found)}):")
                out += [f"  {p}" for p in found]
        if self.rendered:
            out.append(f"as this site renders the imported files ({len(self.rendered)}):")
            out += [f"  {said}" for said in self.rendered]
        if dry_run:
            out.append("Dry run: nothing was written.")
        elif not self.ok:
            out.append(f"{len(self.errors)} error(s): nothing was written.")
        else:
            out.append(
                f"Wrote {len(self.written)} file(s) and synced the database; build the site "
                "with 'python freeze.py' (or Publish in the admin)."
            )
        return out
