#!/usr/bin/env python3
"""Checks that the public entries of a SkillBank log link no two events of one person.

    python3 Tools/linkability-check.py ENTRIES.jsonl EVENTS.json

ENTRIES.jsonl is what anyone reads (`skillbank log entries`, or GET /v1/log/entries): one JSON
object per leaf with its index, hash and data. EVENTS.json is the operator's list of events
(`skillbank events --json --limit N`), used only to know which leaves belong to which person:
a reader does not have it. For every person with two or more events, the script compares their
entries field by field (the data's version byte is the same for every leaf in the log, so it
tells nothing about a person; the rest is compared whole and as every 8-byte window) and looks for
person ids in clear. It exits 1 and names the person and the shared field when anything links.
With --control it runs the same check on the events themselves (what the leaves were before
commitments) and must find links there: proof that it can see them.
"""
import base64, json, sys
from collections import defaultdict

def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def fields(data):
    """The comparable parts of a leaf's data: all but a version byte that every leaf shares."""
    body = data[1:] if data[:1] == b"\x02" else data
    return {body} | {body[i:i + 8] for i in range(0, max(0, len(body) - 7))}

def links(leaves_by_person):
    found = []
    for person, leaves in leaves_by_person.items():
        seen = {}
        for index, data in leaves:
            if b"per_" in data:
                found.append((person, index, "a person id in clear"))
            for f in fields(data):
                if f in seen and seen[f] != index:
                    found.append((person, index, "shares %r with leaf %d" % (f[:16], seen[f])))
                    break
                seen.setdefault(f, index)
    return found

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    control = "--control" in sys.argv
    entries = [json.loads(line) for line in open(args[0]) if line.strip()]
    events = json.load(open(args[1]))
    person_of = {}
    for seq, event in enumerate(events, start=1):
        person = (event.get("subjects") or {}).get("person")
        if person:
            person_of[seq - 1] = person
    by_person = defaultdict(list)
    for e in entries:
        person = person_of.get(e["index"])
        if person is None:
            continue
        if control:
            data = json.dumps(events[e["index"]], sort_keys=True, separators=(",", ":")).encode()
        else:
            if e.get("data") is None:
                print("leaf %d publishes no commitment (a leaf made before commitments)" % e["index"])
                continue
            data = b64(e["data"])
        by_person[person].append((e["index"], data))
    people = sum(1 for v in by_person.values() if len(v) > 1)
    leaves = sum(len(v) for v in by_person.values())
    found = links(by_person)
    print("%d leaves of %d people with two or more events: %d link(s)%s" % (leaves, people, len(found), " (control: the events themselves)" if control else ""))
    for person, index, why in found[:5]:
        print("  leaf %d of %s: %s" % (index, person, why))
    sys.exit(1 if found else 0)

if __name__ == "__main__":
    main()
