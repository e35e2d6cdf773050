#!/usr/bin/env python3
"""Expands documents with pyld (an independent JSON-LD 1.1 processor) and reports dropped terms.

Usage: python3 Tools/jsonld-expand.py --context URL=FILE ... DOCUMENT.json ...

Contexts are served from the given files only (no network): VC 2.0 and OB 3.0.3 from
`Tests/SkillLedgerTests/Fixtures/ob3/`, the SkillBank context from `GET /contexts/skillbank-v1.jsonld` of a
running `skillbank serve`. For each document it counts the members of the compacted
form (every non-keyword key with a non-null value, at any depth, `@context` excluded) and the
properties of the expanded form; a dropped term makes the second smaller. Types that do not
expand to an absolute IRI are listed too. Exit 1 if any document drops or leaves a type
undefined. The test suite runs the same check in Swift (`ConformanceTests`); this script is
the cross-check with someone else's processor (`pip install pyld`).
"""
import argparse
import json
import sys

from pyld import jsonld

UNDEFINED = "https://undefined.invalid/"


def compact_members(node):
    if isinstance(node, list):
        return sum(compact_members(n) for n in node)
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if key == "@context" or value is None:
            continue
        if not key.startswith("@") and key not in ("id", "type"):
            count += 1
        count += compact_members(value)
    return count


def expanded_properties(node, types):
    if isinstance(node, list):
        return sum(expanded_properties(n, types) for n in node)
    if not isinstance(node, dict):
        return 0
    if "@value" in node:
        return 0
    count = 0
    for key, value in node.items():
        if key == "@type":
            types.extend(value if isinstance(value, list) else [value])
            continue
        if not key.startswith("@"):
            count += 1
        count += expanded_properties(value, types)
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--context", action="append", default=[], help="URL=FILE")
    parser.add_argument("documents", nargs="+")
    args = parser.parse_args()
    contexts = {}
    for pair in args.context:
        url, path = pair.split("=", 1)
        contexts[url] = json.load(open(path))

    def loader(url, options=None):
        if url not in contexts:
            raise jsonld.JsonLdError("context not available offline", "loading document failed", {"url": url})
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": contexts[url]}

    failed = False
    for path in args.documents:
        document = json.load(open(path))
        # JSON `type` values inside `@json` literals are not nodes; none of ours use @json.
        # A type no context defines resolves against the document's base: give one that marks it.
        expanded = jsonld.expand(document, {"documentLoader": loader, "base": UNDEFINED})
        types = []
        kept = expanded_properties(expanded, types)
        members = compact_members(document)
        undefined = sorted({t[len(UNDEFINED):] for t in types if t.startswith(UNDEFINED) or ":" not in t})
        ok = kept == members and not undefined
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {path}: {members} members, {kept} kept on expansion"
              + (f", undefined types {undefined}" if undefined else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
