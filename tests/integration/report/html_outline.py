#!/usr/bin/env python3
"""Prints the elements of an HTML page as JSON, for the report tests.

usage: html_outline.py xml|html FILE
  xml   parse strictly as XML (the report's pages are XHTML-clean): a page that is not
        well-formed fails with exit code 1 and the parser's message on stderr.
  html  parse leniently as HTML (for the DOM that Chromium dumps).
Output: [{"tag", "attrs", "text", "depth"}, ...] in document order; "text" is all the text
inside the element; tags without their namespace.
"""
import json
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def from_xml(path):
    out = []

    def walk(el, depth):
        out.append({"tag": local(el.tag), "attrs": {local(k): v for k, v in el.attrib.items()},
                    "text": "".join(el.itertext()), "depth": depth})
        for child in el:
            walk(child, depth + 1)

    walk(ET.parse(path).getroot(), 0)
    return out


class Lenient(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": {k: (v or "") for k, v in attrs}, "text": "",
                "depth": len(self.stack)}
        self.out.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        for node in self.stack:
            node["text"] += data


def main():
    mode, path = sys.argv[1], sys.argv[2]
    try:
        if mode == "xml":
            out = from_xml(path)
        else:
            p = Lenient()
            with open(path, encoding="utf-8", errors="replace") as f:
                p.feed(f.read())
            out = p.out
    except Exception as e:  # noqa: BLE001 - any failure is the test's answer
        print(f"{path}: {e}", file=sys.stderr)
        return 1
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
