"""The public app has no sessions: readers' pages never read or set a cookie."""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import NullSession, SessionInterface, SessionMixin


class NoSessions(SessionInterface):
    """Every request gets the null session (writing to it fails loudly); nothing is saved.

    A build renders thousands of pages: this spares each the cookie signer.
    """

    def open_session(self, app: Flask, request: Request) -> NullSession:
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None
