"""`ailedger schema`: write or check protocol/schema/*.json from the models."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = """\
Generate the JSON Schemas of the wire format from ailedger's models (the
single source of truth), or check that a folder of them is up to date.

examples:
  ailedger schema --write protocol/schema
  ailedger schema --check protocol/schema
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("schema", help="generate the protocol's JSON Schemas",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="DIR", type=Path)
    group.add_argument("--check", metavar="DIR", type=Path)
    p.set_defaults(run=run)


def schemas() -> dict[str, str]:
    """File name -> JSON text: every message in models.MESSAGES, and the audit service's OpenAPI document."""
    import json

    from ..models import MESSAGES, adapter

    out = {}
    for name, model in MESSAGES.items():
        schema = adapter(model).json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": name, **schema}
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    from ..sync.service.openapi import document

    out["openapi.json"] = json.dumps(document(), indent=2, sort_keys=True) + "\n"
    return out


def run(args: argparse.Namespace) -> int:
    import sys

    wanted = schemas()
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, text in wanted.items():
            (args.write / name).write_text(text)
        print(f"wrote {len(wanted)} schema(s) to {args.write}")
        return 0
    stale = [n for n, t in wanted.items() if not (args.check / n).exists() or (args.check / n).read_text() != t]
    if stale:
        print(f"stale: {', '.join(stale)}; run `ailedger schema --write {args.check}`", file=sys.stderr)
        return 1
    print(f"{len(wanted)} schema(s) up to date")
    return 0
