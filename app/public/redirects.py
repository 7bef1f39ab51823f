"""Old URLs (``aliases:``) kept alive: a redirect page at each, and the same redirects as
``_redirects`` (Netlify, Cloudflare Pages) and an nginx ``map`` for hosts that do real 301s.

A redirect page has no route of its own: an old URL may look like any page's (a renamed
post's ``/posts/old-slug/``), so it is served where the site would say 404
(``routes.not_found``) or add a slash. The build lists each one (``generators.redirect``).
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from flask import Response, render_template, request, url_for
from werkzeug.routing import RequestRedirect

from app.content.aliases import is_page
from app.public import bp, queries
from app.public.permalinks import url_values


def target_url(kind: str, slug: str, external: bool = False) -> str:
    """Where an alias of the post, page or note ``slug`` sends readers."""
    endpoint, values = url_values(kind, slug)
    return url_for(endpoint, **values, _external=external)


def redirect_page(path: str) -> str | None:
    """The redirect page at ``path`` (a site path, as requested), if it is an alias of a
    post or page on the site."""
    found = queries.redirect_at(path) if is_page(path) else None
    if found is None:
        return None
    kind, slug, _source = found
    item = queries.get_visible(kind, slug)
    if item is None:
        return None
    return render_template(
        "redirect.html",
        item=item,
        target=target_url(kind, slug),
        canonical=target_url(kind, slug, external=True),
    )


@bp.before_app_request
def _before_a_slash_redirect() -> str | None:
    """An alias such as ``/old.html`` looks like a page's URL without its slash: the
    router would redirect to ``/old.html/``; its redirect page is served instead."""
    if isinstance(request.routing_exception, RequestRedirect):
        return redirect_page(request.path)
    return None


def _quoted(path: str, *, unquoted: bool = False) -> str:
    """A path as a host's configuration takes it: non-ASCII and spaces percent-encoded, and
    a '%' too when ``unquoted`` (an alias URL, escapes read: its '%' is a '%' of the name)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~" + ("" if unquoted else "%"))


def _rules() -> list[tuple[str, str]]:
    """(old path, new path) for every alias, by old path, below the site's root path;
    percent-escapes read, as nginx's ``$uri`` has them."""
    root = unquote(url_for("public.index")).rstrip("/")
    return [(root + url, target_url(kind, slug)) for url, kind, slug, _ in queries.redirects()]


@bp.route("/_redirects")
def netlify_redirects() -> Response:
    """Netlify's and Cloudflare Pages' redirects file: one ``old new 301`` a line."""
    lines = ["# Redirects of the posts' and pages' aliases (Netlify, Cloudflare Pages)"]
    lines += [f"{_quoted(old, unquoted=True)} {_quoted(new)} 301" for old, new in _rules()]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.route("/redirects.nginx.conf")
def nginx_redirects() -> Response:
    """An nginx ``map`` of old paths to new ones (docs/deploy.md: where to include it)."""
    lines = [
        "# Redirects of the posts' and pages' aliases. Include this file in nginx's http {}",
        "# block, and in the site's server {} block add:",
        "#     if ($microblog_redirect) { return 301 $microblog_redirect; }",
        "map $uri $microblog_redirect {",
        '    default "";',
    ]
    for old, new in _rules():
        lines.append(f'    "{old}" "{new}";')
        if old.endswith("/"):  # the folder without its slash, as it was often linked
            lines.append(f'    "{old.rstrip("/")}" "{new}";')
    lines.append("}")
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
