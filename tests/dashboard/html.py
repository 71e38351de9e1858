"""A tiny HTML tree (standard library html.parser) so tests assert on structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """All text inside, whitespace collapsed."""
        parts: list[str] = []
        self._collect(parts)
        return " ".join(" ".join(parts).split())

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                child._collect(parts)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
        """Descendants matching a tag, a class and attributes (`data_x` means `data-x`)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in node.classes():
                continue
            if all(
                (k in node.attrs) if v is True else node.attrs.get(k) == v
                for k, v in wanted.items()
            ):
                found.append(node)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> Node | None:
        nodes = self.find_all(tag, cls, **attrs)
        return nodes[0] if nodes else None

    def one(self, tag: str | None = None, cls: str | None = None, **attrs) -> Node:
        nodes = self.find_all(tag, cls, **attrs)
        assert len(nodes) == 1, f"expected one <{tag} {cls or ''} {attrs}>, found {len(nodes)}"
        return nodes[0]

    def form_fields(self) -> dict[str, str]:
        """What a browser would submit from this form without user input."""
        fields: dict[str, str] = {}
        for node in self.find_all("input"):
            name = node.attrs.get("name")
            kind = node.attrs.get("type", "text")
            if not name or (kind in ("radio", "checkbox") and "checked" not in node.attrs):
                continue
            fields[name] = node.attrs.get("value") or ""
        for node in self.find_all("textarea"):
            if node.attrs.get("name"):
                fields[node.attrs["name"]] = node.text()
        return fields


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Node:
    if isinstance(html, bytes):
        html = html.decode()
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
