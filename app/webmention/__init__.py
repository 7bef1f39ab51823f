"""Webmention sending (https://www.w3.org/TR/webmention/), opt-in: after a successful publish,
each new or changed post tells the pages it links to (``send.send_webmentions``)."""
