"""Test helper: a page parsed the way a browser's parser sees it (elements, attributes, text)."""

from __future__ import annotations

from html.parser import HTMLParser


class DOM(HTMLParser):
    """Elements, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def names(self) -> list[str]:
        return [t for t, _ in self.tags]

    def all_text(self) -> str:
        return "".join(self.text)

    def handlers(self) -> list[tuple[str, str]]:
        return [(t, a) for t, attrs in self.tags for a in attrs if a.startswith("on")]
