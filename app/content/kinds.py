"""Where each kind of document lives in the content folder (the standard library only:
``app.build.stamps`` reads it before the app loads)."""

#: Sub-folder of the content directory for each kind of document.
KIND_DIRS = {"post": "posts", "page": "pages", "note": "notes"}
#: The names a document may have; other files in those folders are ignored, with a warning.
MARKDOWN_SUFFIXES = (".md", ".markdown")
