"""The demo catalogues' records as a blind evaluation writer sees them (bench/eval/v2/catalogue.md).

    .venv/bin/python -m bench.eval_catalogue OUT.md

Starts SecantusDB and the API, loads the demo data and lists, for each searchable catalogue, every
record's key, names and a few plain fields: nothing of the search engine (no synonyms, no aliases).
"""

import sys
from pathlib import Path
from typing import Any

import httpx

from bench.harness import Stack
from bench.search_quality import _seed

# list name -> (key, fields read, languages asked for; None: the list takes no `lang`)
LISTS: dict[str, tuple[str, str, list[str | None]]] = {
    "procedures": ("code", "code name field agency level", ["vi", "en"]),
    "attractions": ("slug", "slug name category district address", ["vi", "en"]),
    "events": ("slug", "slug name", ["vi", "en"]),
    "schools": ("id", "id name levels ownership district address", ["vi"]),
    "hospitals": ("id", "id name level district address", [None]),
}


def _records(client: httpx.Client, url: str, name: str, fields: str, lang: str | None) -> list[Any]:
    rows: list[Any] = []
    after: str | None = None
    while True:
        arguments = "first: 50" + (f", lang: {lang.upper()}" if lang else "")
        query = (
            f"query($after: String) {{ {name}({arguments}, after: $after) "
            f"{{ edges {{ node {{ {fields} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
        body = client.post(url, json={"query": query, "variables": {"after": after}}).json()
        if body.get("errors"):
            raise SystemExit(f"{name}: {body['errors']}")
        connection = body["data"][name]
        rows += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return rows
        after = connection["pageInfo"]["endCursor"]


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    lines = [
        "# Records of the five searchable catalogues (demo data)\n",
        "Each record: key in backticks, its Vietnamese name (and English where one exists) and a "
        "few fields.\n",
    ]
    with Stack(database="evalcat") as stack, httpx.Client(timeout=30) as client:
        _seed(stack, "demo")
        for name, (key, fields, languages) in LISTS.items():
            by_key: dict[str, dict[str, Any]] = {}
            for lang in languages:
                for row in _records(client, stack.graphql_url, name, fields, lang):
                    by_key.setdefault(row[key], {})[lang or "vi"] = row
            lines.append(f"\n## {name} ({len(by_key)} records, key = {key})\n")
            for record_key, versions in by_key.items():
                vi = versions.get("vi") or next(iter(versions.values()))
                en = versions.get("en")
                plain = [f for f in fields.split() if f not in (key, "name") and vi.get(f)]
                extra = "; ".join(f"{f}: {vi[f]}" for f in plain)
                english = f" / EN: {en['name']}" if en and en["name"] != vi["name"] else ""
                lines.append(f"- `{record_key}` {vi['name']}{english} ({extra})")
    Path(sys.argv[1]).write_text("\n".join(lines) + "\n")
    print(f"{sys.argv[1]}: {sum(line.startswith('- `') for line in lines)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
