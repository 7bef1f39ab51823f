"""Liquid tags and Hugo/WordPress shortcodes left in a body are found outside code and said
with file:line at sync and build, in the admin preview and by the API."""

from pathlib import Path

from app.content import sync_content
from app.content.templatetags import MAX_TAGS, find_template_tags, template_tag_warnings

BODY = """Intro {% include note.html %} and {{ site.url }}/x and {{ title | upcase }}

```liquid
{% not_this %} {{ site.not_this }}
```

Inline `{% nope %}` here. {{< youtube abc >}} and {{% note %}}hi{{% /note %}}

[caption id="a" width="300"]<img src="x.png"> text[/caption]

[gallery ids="1,2"] [link](/x) [code](/y) [embed]https://example.com/v[/embed]

{% highlight ruby %}
puts "{{ page.title }}"
{% endhighlight %}
{{ .Title }} and {{ plain }} and [video] and [Caption] text.

    {% indented_code %}
"""


def test_tags_are_found_by_line_outside_code():
    found = [(tag.line, tag.kind, tag.text) for tag in find_template_tags(BODY)]
    assert found == [
        (1, "liquid", "{% include note.html %}"),
        (1, "liquid", "{{ site.url }}"),
        (1, "liquid", "{{ title | upcase }}"),
        (7, "hugo", "{{< youtube abc >}}"),
        (7, "hugo", "{{% note %}}"),
        (7, "hugo", "{{% /note %}}"),
        (9, "wordpress", '[caption id="a" width="300"]'),
        (11, "wordpress", '[gallery ids="1,2"]'),
        (11, "wordpress", "[embed]"),
        (13, "liquid", "{% highlight ruby %}"),
        (16, "wordpress", "[video]"),
    ]


def test_plain_markdown_has_no_tags():
    body = "A [link](/a), [ref][1], a {brace} and {{ plain }}; `{% code %}`.\n\n[1]: /b\n"
    assert find_template_tags(body) == []
    assert find_template_tags("[caption]: /a-reference-definition\n") == []


def test_messages_name_the_file_line_and_the_importer():
    body = "{% post_url 2015-01-01-x %}\n\n{{< figure src=a.png >}}\n\n[gallery]\n"
    messages = template_tag_warnings(body, "content/posts/a.md", first_line=5)
    assert messages[0].startswith("content/posts/a.md:5: Liquid tag `{% post_url")
    assert "`flask content import jekyll`" in messages[0]
    assert messages[1].startswith("content/posts/a.md:7: Hugo shortcode")
    assert "`flask content import hugo`" in messages[1]
    assert messages[2].startswith("content/posts/a.md:9: WordPress shortcode `[gallery]`")
    assert "`flask content import wordpress`" in messages[2]
    many = template_tag_warnings("{% x %}\n" * (MAX_TAGS + 3))
    assert len(many) == MAX_TAGS + 1
    assert many[-1] == "3 more template tags like these"


POST = """---
title: From Jekyll
date: 2015-01-01
---

Some prose.

{% highlight python %}
print("hi")
{% endhighlight %}
"""


def test_a_sync_warns_with_the_file_line(app, content_dir: Path):
    (content_dir / "posts" / "from-jekyll.md").write_text(POST, encoding="utf-8")
    with app.app_context():
        report = sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
    (warning,) = [w for w in report.warnings if "Liquid" in w]
    assert warning.startswith("content/posts/from-jekyll.md:8: Liquid tag `{% highlight python")


def test_the_build_prints_the_warning(freeze):
    (freeze.content_dir / "posts" / "from-jekyll.md").write_text(POST, encoding="utf-8")
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert "warning: content/posts/from-jekyll.md:8: Liquid tag" in result.stderr


def test_the_admin_preview_and_the_api_warn(synced, author_client, api):
    preview = author_client.post("/admin/preview", json={"body": "x\n\n[gallery]\n"}).json
    assert preview["warnings"][0].startswith("line 3: WordPress shortcode `[gallery]`")
    created = api.post("/posts", json={"title": "Shortcode", "body": "{{< youtube x >}}\n"})
    assert created.status_code == 201, created.text
    (warning,) = created.json()["warnings"]
    assert warning.startswith("line 1: Hugo shortcode `{{< youtube x >}}`")
