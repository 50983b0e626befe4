"""Read `.ailedger.toml` into a Policy, or say in one line what is wrong
with it: the file, the line, the key, and what is allowed."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import UserError
from .globs import BadGlob, translate
from .providers import ProviderTerms, approval, pattern

if TYPE_CHECKING:  # pydantic loads only when a policy file is read: `ailedger lsp` starts fast
    from .model import PolicyFile, Rules

FILENAME = ".ailedger.toml"


class PolicyError(UserError, ValueError):
    """The policy file is broken; `str(err)` is `FILE:LINE: key: what is wrong`."""


@dataclass(frozen=True)
class TierRules:
    """One tier's rules with the defaults filled in: what `assess` reads."""

    name: str
    reviews: int = 1
    eligible: frozenset[str] | None = None  # None: anyone may review
    board: str = ""  # how the eligible reviewers are described to people ("security")
    self_review: bool = True
    severity: str | None = None  # None: the editor's own setting
    max_unreviewed: timedelta | None = None
    require_provenance: tuple[str, ...] = ()
    approved_only: bool = False
    providers: tuple[ProviderTerms, ...] = ()  # the policy's [[provider]] tables, for approved-only


@dataclass(frozen=True)
class Policy:
    version: str  # the file's `version`, else a digest of it; "none" without a file
    sha256: str | None
    retention: str
    source: Path | None
    default: TierRules
    tiers: tuple[tuple[TierRules, tuple[re.Pattern[str], ...]], ...] = ()
    providers: tuple[ProviderTerms, ...] = ()
    _cache: dict[str, TierRules] = field(default_factory=dict, compare=False, repr=False)

    def rules_for(self, path: str) -> TierRules:
        """The first tier whose globs match the repo-relative `path`, else the default."""
        hit = self._cache.get(path)
        if hit is None:
            hit = next((rules for rules, globs in self.tiers if any(g.match(path) for g in globs)), self.default)
            if len(self._cache) < 100_000:
                self._cache[path] = hit
        return hit

    def ref(self, tool: dict[str, Any] | None = None, model: dict[str, Any] | None = None,
            path: str | None = None) -> dict[str, Any]:
        """What an event records of the policy it was made under; for an
        acceptance (`tool`, `model`, `path`), the contract under which the
        provider's model was used when a [[provider]] approves it, and why it
        was not approved where its tier is approved-only (the audit service,
        which has no policy, shows that)."""
        ref: dict[str, Any] = {"version": self.version, "sha256": self.sha256, "retention": self.retention}
        if tool is not None and self.providers:
            found = approval(self.providers, tool, model)
            if found.approved and found.provider is not None and found.provider.contract:
                ref["contract"] = found.provider.contract
            rules = self.rules_for(path) if path is not None else None
            if rules is not None and rules.approved_only and not found.approved:
                ref["unapproved"] = f"not approved in tier {rules.name} (approved-only): {found.reason}"
        return ref

    def provider(self, name: str | None) -> ProviderTerms | None:
        return next((p for p in self.providers if p.name == name), None)


NO_POLICY = Policy(version="none", sha256=None, retention="redacted", source=None,
                   default=TierRules(name="default"))


def load(path: Path) -> Policy:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise PolicyError(f"{path}: cannot read: {err.strerror or err}") from None
    return parse(raw, path)


def parse(raw: bytes, path: Path) -> Policy:
    from pydantic import ValidationError

    from .model import PolicyFile

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PolicyError(f"{path}:1: not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"\(at line (\d+), column \d+\)", str(err))
        line = m[1] if m else str(max(1, len(text.splitlines())))  # "(at end of document)"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(err))
        raise PolicyError(f"{path}:{line}: invalid TOML: {reason}") from None
    try:
        model = PolicyFile.model_validate(data)
    except ValidationError as err:
        # A misspelt key also makes the right one "missing": name the misspelling.
        first = min(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise _error(path, text, first["loc"], _explain(first)) from None
    digest = hashlib.sha256(raw).hexdigest()
    return _resolve(model, path, text, digest)


def _explain(error: dict[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return f"unknown key (allowed here: {', '.join(_allowed(error['loc']))})"
    if error["type"] == "literal_error":
        return "must be one of " + error["ctx"]["expected"].replace("'", '"')
    message = error["msg"].removeprefix("Value error, ")
    return message[0].lower() + message[1:]


def _allowed(loc: Sequence[Any]) -> list[str]:
    from .model import PolicyFile, Prompts, Provider, Rules, Tier

    parent = [p for p in loc[:-1] if not isinstance(p, int)]
    model: Any = {(): PolicyFile, ("tier",): Tier, ("default",): Rules, ("prompts",): Prompts,
                  ("provider",): Provider}.get(tuple(parent))
    if model is None:
        return ["see the documentation"]
    return [f.alias or n for n, f in model.model_fields.items()]


def _resolve(model: PolicyFile, path: Path, text: str, digest: str) -> Policy:
    for role, people in model.roles.items():
        if not people:
            raise _error(path, text, ("roles", role), "a role needs at least one person")
    providers = _providers(model, path, text)
    default = _rules("default", model.default, TierRules(name="default", providers=providers), model, path, text,
                     ("default",))
    tiers = []
    seen: set[str] = set()
    for i, tier in enumerate(model.tier):
        if tier.name in seen:
            raise _error(path, text, ("tier", i, "name"), f"tier {tier.name!r} is declared twice")
        seen.add(tier.name)
        globs = []
        for j, glob in enumerate(tier.paths):
            try:
                globs.append(translate(glob))
            except BadGlob as err:
                raise _error(path, text, ("tier", i, "paths", j), f"bad glob {glob!r}: {err}") from None
        tiers.append((_rules(tier.name, tier, default, model, path, text, ("tier", i)), tuple(globs)))
    return Policy(version=model.version or f"sha256:{digest[:12]}", sha256=digest,
                  retention=model.prompts.retention, source=path, default=default, tiers=tuple(tiers),
                  providers=providers)


def _providers(model: PolicyFile, path: Path, text: str) -> tuple[ProviderTerms, ...]:
    out: list[ProviderTerms] = []
    for i, given in enumerate(model.provider):
        if any(p.name == given.name for p in out):
            raise _error(path, text, ("provider", i, "name"), f"provider {given.name!r} is declared twice")
        lists: dict[str, tuple[Any, ...]] = {}
        for key in ("models", "tools"):
            globs = getattr(given, key)
            if globs is None:
                continue
            if not globs:
                raise _error(path, text, ("provider", i, key), "an empty list approves no model: name at least one"
                             if key == "models" else "an empty list approves no tool: leave `tools` out for any tool")
            patterns = []
            for j, glob in enumerate(globs):
                try:
                    patterns.append(pattern(glob))
                except ValueError as err:
                    raise _error(path, text, ("provider", i, key, j), f"bad pattern {glob!r}: {err}") from None
            lists[key] = tuple(patterns)
        out.append(ProviderTerms(name=given.name, models=lists["models"], tools=lists.get("tools"),
                                 contract=given.contract, defect_response=given.defect_response,
                                 contact=given.contact))
    return tuple(out)


def _rules(name: str, given: Rules, base: TierRules, model: PolicyFile, path: Path, text: str,
           loc: tuple[Any, ...]) -> TierRules:
    """A tier's rules over the defaults, refusing rules nobody could satisfy."""
    eligible, board = base.eligible, base.board
    if given.roles is not None or given.reviewers is not None:
        people: set[str] = set(given.reviewers or ())
        for role in given.roles or ():
            if role not in model.roles:
                known = ", ".join(sorted(model.roles)) or "none are declared"
                raise _error(path, text, (*loc, "roles"), f"unknown role {role!r} (roles: {known}; declare it under [roles])")
            people |= set(model.roles[role])
        eligible = frozenset(people)
        board = " or ".join([*(given.roles or ()), *(given.reviewers or ())])
    rules = TierRules(
        name=name,
        reviews=base.reviews if given.reviews is None else given.reviews,
        eligible=eligible,
        board=board,
        self_review=base.self_review if given.self_review is None else given.self_review,
        severity=given.severity or base.severity,
        max_unreviewed=given.max_unreviewed or base.max_unreviewed,
        require_provenance=base.require_provenance if given.require_provenance is None
        else tuple(dict.fromkeys(given.require_provenance)),
        approved_only=base.approved_only if given.approved_only is None else given.approved_only,
        providers=base.providers,
    )
    if given.approved_only and not rules.providers:
        raise _error(path, text, (*loc, "approved-only"),
                     "impossible: approved-only = true, but no [[provider]] is declared, so nothing is approved")
    if rules.eligible is not None and rules.reviews > len(rules.eligible):
        raise _error(path, text, (*loc, "reviews"),
                     f"impossible: {rules.reviews} distinct reviews, but only {len(rules.eligible)} "
                     f"{'person' if len(rules.eligible) == 1 else 'people'} may review ({board})")
    if rules.reviews == 0 and rules.max_unreviewed is not None and given.max_unreviewed is not None:
        raise _error(path, text, (*loc, "max-unreviewed"),
                     "impossible: a deadline for reviews in a tier that needs none (reviews = 0)")
    return rules


def _error(path: Path, text: str, loc: Sequence[Any], message: str) -> PolicyError:
    key = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    return PolicyError(f"{path}:{line_of(text, loc)}: {key}: {message}")


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=""")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"""(?:"[^"]*"|'[^']*'|[^.]+)""", dotted)]


def line_of(text: str, loc: Sequence[Any]) -> int:
    """The line that best matches a key path such as ("tier", 1, "reviews"):
    the line of the longest prefix of it that the file spells out."""
    table: list[Any] = []
    counts: dict[tuple[Any, ...], int] = {}
    best, best_len = 1, -1
    for number, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            parts: list[Any] = _parts(m[2])
            if m[1] == "[[":
                index = counts.get(tuple(parts), -1) + 1
                counts[tuple(parts)] = index
                parts.append(index)
            table, here = parts, parts
        else:
            k = _KEY.match(line)
            if not k:
                continue
            here = [*table, *_parts(k[1])]
        n = _prefix(here, loc)
        if n > best_len:
            best, best_len = number, n
    return best


def _prefix(here: Sequence[Any], loc: Sequence[Any]) -> int:
    if len(here) > len(loc):
        return -1
    for a, b in zip(here, loc):
        if a != b:
            return -1
    return len(here)


_loaded: dict[Path, tuple[tuple[int, int], Policy]] = {}


def at(root: Path) -> Policy:
    """The policy of the working copy at `root` as the file is now (reread
    only when it changes); NO_POLICY when there is none. Raises PolicyError."""
    path = root / FILENAME
    try:
        st = path.stat()
    except FileNotFoundError:
        return NO_POLICY
    except OSError as err:
        raise PolicyError(f"{path}: cannot read: {err.strerror or err}") from None
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _loaded.get(path)
    if hit is None or hit[0] != stamp:
        hit = (stamp, load(path))
        _loaded[path] = hit
    return hit[1]
