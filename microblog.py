"""The app instance for the ``flask`` command (see ``.flaskenv``)."""

from app import create_app
from app.extensions import db
from app.models import Post, Tag, User

app = create_app()


@app.shell_context_processor
def make_shell_context() -> dict[str, object]:
    return {"db": db, "User": User, "Post": Post, "Tag": Tag}
