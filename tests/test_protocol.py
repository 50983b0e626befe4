"""protocol/: the generated schemas are current, and every example message
in protocol/vectors/ is accepted or rejected as it says (naming the field)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ailedger.cli.schema import schemas
from ailedger.models import MESSAGES, InvalidMessage, validate

PROTOCOL = Path(__file__).parents[1] / "protocol"
VALID = sorted((PROTOCOL / "vectors" / "valid").glob("*.json"))
INVALID = sorted((PROTOCOL / "vectors" / "invalid").glob("*.json"))


def test_schemas_are_generated_from_the_models() -> None:
    wanted = schemas()
    on_disk = {p.name: p.read_text() for p in (PROTOCOL / "schema").glob("*.json")}
    stale = sorted(n for n in wanted.keys() | on_disk.keys() if wanted.get(n) != on_disk.get(n))
    assert not stale, f"stale: {stale}; run `ailedger schema --write protocol/schema`"


def test_there_are_vectors() -> None:
    assert len(VALID) >= 4 and len(INVALID) >= 10


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_vector(path: Path) -> None:
    vector = json.loads(path.read_text())
    validate(MESSAGES[vector["schema"]], vector["message"], vector["schema"])
    schema = json.loads((PROTOCOL / "schema" / f"{vector['schema']}.schema.json").read_text())
    jsonschema.validate(vector["message"], schema)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_vector(path: Path) -> None:
    vector = json.loads(path.read_text())
    with pytest.raises(InvalidMessage) as caught:
        validate(MESSAGES[vector["schema"]], vector["message"], vector["schema"])
    assert caught.value.field == vector["error"], str(caught.value)
    assert "\n" not in str(caught.value)
