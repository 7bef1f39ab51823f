"""The CSRF protection of the authoring app's forms: the freezer's app has none (and so
never imports Flask-WTF and WTForms, 15 ms of every build's start)."""

from flask_wtf import CSRFProtect

csrf = CSRFProtect()
