"""The OpenAPI contract: generated, served, readable, and schemathesis finds nothing against it."""

from __future__ import annotations

from urllib.parse import urlsplit

import schemathesis
from hypothesis import strategies as st
from schemathesis.engine import Status, events, from_schema

from app.api.note_schemas import MEDIA_FORMAT
from app.content.media import FORMATS
from tests.api_helpers import image_bytes
from tests.conftest import FIXTURE_CONTENT, ApiClient

#: Pillow's name for each image media type the upload accepts.
METHODS = {"get", "post", "put", "patch", "delete"}
IMAGE_FORMATS = {f"image/{'jpeg' if ext == 'jpg' else ext}": fmt for fmt, ext in FORMATS.items()}
#: schemathesis's own list of what a valid request may answer.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
SAMPLE_MEDIA = sorted(p.name for p in (FIXTURE_CONTENT / "media").iterdir())


def test_openapi_document_describes_the_api(api):
    response = ApiClient(api.base_url).get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    paths = spec["paths"]
    assert set(paths["/api/v1/posts"]) & METHODS == {"get", "post"}
    assert set(paths["/api/v1/posts/{slug}"]) & METHODS == METHODS - {"post"}
    assert set(paths["/api/v1/notes"]) & METHODS == {"get", "post"}
    assert set(paths["/api/v1/notes/{slug}"]) & METHODS == METHODS - {"post"}
    assert {"/api/v1/tags", "/api/v1/media", "/api/v1/builds", "/api/v1/me"} <= set(paths)
    # The request schema is the one that validates: same fields, same rules.
    post_input = spec["components"]["schemas"]["PostCreate"]
    assert post_input["required"] == ["title"]
    assert post_input["additionalProperties"] is False
    slug_pattern = r"^(?!\d{4}-\d{2}-\d{2}-)[a-z0-9]+(?:-[a-z0-9]+)*$"  # no date first
    assert post_input["properties"]["slug"]["pattern"] == slug_pattern
    problem = spec["components"]["responses"]["CONFLICT"]["content"]
    assert list(problem) == ["application/problem+json"]
    assert "412" in paths["/api/v1/posts/{slug}"]["put"]["responses"]
    note_input = spec["components"]["schemas"]["NoteWrite"]
    assert note_input["required"] == ["body"]
    assert "title" not in note_input["properties"]
    assert note_input["additionalProperties"] is False
    assert spec["components"]["schemas"]["PhotoIn"]["required"] == ["alt", "media"]
    assert paths["/api/v1/notes"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert "412" in paths["/api/v1/notes/{slug}"]["patch"]["responses"]


def test_docs_page_lists_every_operation(api):
    page = ApiClient(api.base_url).get("/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.text
    spec = api.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method in set(item) & METHODS:
            assert f'<span class="method">{method.upper()}</span> <code>{path}</code>' in html
    assert 'href="/api/v1/openapi.json"' in html
    assert "<script" not in html  # nothing fetched from elsewhere


def image_files() -> None:
    """Teach schemathesis what a valid upload is: small real images of each accepted type."""
    sizes = st.tuples(st.integers(1, 8), st.integers(1, 8))
    for media_type, fmt in IMAGE_FORMATS.items():
        schemathesis.openapi.media_type(
            media_type, sizes.map(lambda size, fmt=fmt: image_bytes(fmt, size))
        )
    # The upload's alt text: some visible words (schemathesis leaves such a field empty).
    schemathesis.openapi.media_type("text/plain", st.from_regex(r"\A[A-Za-z][a-z ]{0,30}\Z"))
    # A note's photo names an upload that exists: the sample content's.
    schemathesis.openapi.format(MEDIA_FORMAT, st.sampled_from(SAMPLE_MEDIA))


def test_schemathesis_finds_nothing(api):
    """Every phase (examples, coverage, fuzzing, stateful) with every check, bounded."""
    image_files()
    config = schemathesis.Config.from_dict(
        {
            "seed": 20261125,
            "base-url": api.base_url,
            "auth": {"openapi": {"bearerAuth": {"bearer": api.token}}},
            # Every check, max_response_time too (generous: CI machines are slow and shared).
            "checks": {"enabled": True, "max_response_time": 15.0},
            "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"max-steps": 10}},
            "request-timeout": 30,
            # A note's photo names an upload, which no schema can list: the coverage phase
            # sends names that are none (422, ``photos.0.media``). Only there is 422 allowed.
            "operations": [
                {
                    "include-path-regex": "^/api/v1/notes",
                    "include-method-regex": "^(POST|PUT|PATCH)$",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}
                    },
                }
            ],
        }
    )
    schema = schemathesis.openapi.from_url(f"{api.base_url}/api/v1/openapi.json", config=config)
    problems: list[str] = []
    accepted: set[str] = set()  # "METHOD path" that answered 2xx at least once
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                response = interaction.response
                if response is not None and 200 <= response.status_code < 300:
                    path = urlsplit(interaction.request.uri).path
                    accepted.add(f"{interaction.request.method} {path.split('/')[3]}")
        if isinstance(event, events.ScenarioFinished) and event.status != Status.SUCCESS:
            for case_checks in event.recorder.checks.values():
                for check in case_checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        info = check.failure_info
                        failure = f"{check.name}: {info.failure.title}\n{info.failure.message}"
                        problems.append(f"{failure}\n{info.code_sample}")
            if event.status == Status.ERROR:
                problems.append(f"{event.recorder.label}: error")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"error: {getattr(event, 'info', None) or event.exception}")
    assert not problems, "\n\n".join(dict.fromkeys(problems))
    # The run got past authentication and validation everywhere, so the checks saw real work.
    assert {
        "GET posts",
        "POST posts",
        "PUT posts",
        "PATCH posts",
        "DELETE posts",
        "GET notes",
        "POST notes",
        "PUT notes",
        "PATCH notes",
        "DELETE notes",
        "GET tags",
        "POST media",
        "POST builds",
        "GET me",
    } <= accepted, sorted(accepted)


def test_the_api_is_only_in_the_authoring_app(app):
    from app import create_app
    from config import TestingConfig

    public = create_app(TestingConfig, authoring=False)
    assert not [r.rule for r in public.url_map.iter_rules() if r.rule.startswith("/api")]
    assert any(r.rule == "/api/v1/posts" for r in app.url_map.iter_rules())


def test_the_api_needs_no_csrf_token(api, app):
    app.config["WTF_CSRF_ENABLED"] = True
    created = api.post("/posts", json={"title": "No CSRF needed"})
    assert created.status_code == 201, created.text
