"""Mask secrets (always) and personal identifiers (on request) before storage.

Pure: strings in, strings out; no LSP, HTTP or ledger. Two detectors run over
the text and their spans are merged: detect-secrets' plugins (a well-kept list
of vendor key shapes, with its filters against false positives; called
directly, without its process-wide settings, so it is thread-safe and never
verifies a key over the network) and our own rules below, for what it misses
or places too loosely (multi-line private keys, URL passwords of any scheme,
newer vendor prefixes, secret-named assignments in Python/JS/Go/YAML/.env/JSON,
random strings in assignments). A match becomes `[REDACTED:<kind>]`;
everything around it stays byte-identical, so redacting twice changes nothing.

What counts as ordinary code, and is never touched: hex strings (commit SHAs,
digests, test vectors) unless assigned to a secret-named variable; UUIDs,
ULIDs, versions, colours, identifiers, base64 of readable text; data: URLs
(an image is not a credential); references and placeholders in secret-named slots
(`os.environ[...]`, `getpass()`, `${VAR}`, `<your-api-key>`, `***`). A literal
in a secret-named slot is masked even if it looks like a placeholder
(`"changeme"`): masking a placeholder loses nothing, keeping a real default
password leaks it.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable

RETENTION_MODES = ("full", "redacted", "hash", "none")


@dataclass(frozen=True)
class Finding:
    """Where a masked value was: `start`/`end` are offsets into the original
    text (str indices), `line` is 1-based. The value itself is never kept."""

    kind: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]


def redact_secrets(text: str) -> Redaction:
    return _apply(text, _secret_spans(text))


def mask_in_place(text: str) -> str:
    """Secrets overwritten with `*`, every other character where it was: for
    texts kept only to diff against (the ledger's file snapshots), where line
    and column positions must survive. Line breaks inside a secret stay.

    Whole files pass here (in the server's worker thread, between captures),
    so only the stretches that could hold a secret are scanned: lines with a
    long token, a credential word or a URL with a user, one line either side."""
    from bisect import bisect_right

    lowered = text.lower()
    found = [m.start() for m in _CANDIDATE.finditer(lowered)]
    if not found:
        return text
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    if len(lowered) == len(text):
        hot = sorted({bisect_right(starts, at) - 1 for at in found})
    else:  # a few letters lower to two ('İ'): offsets would drift, so scan every line
        hot = list(range(len(lines)))
    out, pos = [], 0
    for first, last in _stretches(hot, len(lines)):
        begin, end = starts[first], starts[last + 1]
        segment = text[begin:end]
        for f in redact_secrets(segment).findings:
            a, b = begin + f.start, begin + f.end
            out.append(text[pos:a])
            # '*' is one UTF-16 unit: characters outside the BMP (two) are kept, so columns never move
            out.append("".join(c if c in "\r\n" or ord(c) > 0xFFFF else "*" for c in text[a:b]))
            pos = b
    out.append(text[pos:])
    return "".join(out)


# What any rule here or in detect-secrets needs to see on a line before it can
# match: a token of 16+ characters, a credential word, or a URL with a user.
_CANDIDATE = re.compile(r"[a-z0-9+/=_\-]{16,}|://\S*@|pass|secret|token|key|auth|bearer|cred|private|begin")


def _stretches(hot: list[int], count: int) -> Iterator[tuple[int, int]]:
    """Runs of candidate lines, one line of context either side, merged."""
    first = last = -2
    for i in hot:
        lo, hi = max(0, i - 1), min(count - 1, i + 1)
        if lo <= last + 1:
            last = hi
            continue
        if last >= 0:
            yield first, last
        first, last = lo, hi
    if last >= 0:
        yield first, last


def mask_personal(text: str) -> Redaction:
    """E-mail and IP addresses, user names in home paths, phone numbers."""
    return _apply(text, _personal_spans(text))


def retain_prompt(prompt: str | None, mode: str) -> str | None:
    """The prompt as the retention policy allows it to be stored."""
    if mode not in RETENTION_MODES:
        raise ValueError(f"unknown prompt retention {mode!r}; expected one of {', '.join(RETENTION_MODES)}")
    if prompt is None or mode == "none":
        return None
    if mode == "hash":
        # Of the original: it proves which prompt was used to whoever holds it.
        return "sha256:" + hashlib.sha256(prompt.encode("utf-8")).hexdigest()
    kept = redact_secrets(prompt).text
    return mask_personal(kept).text if mode == "redacted" else kept


# --- assembling -------------------------------------------------------------

# (start, end, kind, rank): a lower rank names the overlap when spans merge,
# so `api_key = "AKIA…"` is reported as an AWS key, not a generic secret.
_Span = tuple[int, int, str, int]
_MARKER = re.compile(r"\[REDACTED:[a-z0-9-]+\]")


def _apply(text: str, spans: Iterable[_Span]) -> Redaction:
    merged = _merge(_outside_markers(text, spans))
    out: list[str] = []
    findings: list[Finding] = []
    pos, line = 0, 1
    for start, end, kind, _ in merged:
        out += [text[pos:start], f"[REDACTED:{kind}]"]
        line += text.count("\n", pos, start)
        findings.append(Finding(kind, line, start, end))
        line += text.count("\n", start, end)
        pos = end
    out.append(text[pos:])
    return Redaction("".join(out), tuple(findings))


def _outside_markers(text: str, spans: Iterable[_Span]) -> Iterator[_Span]:
    """Spans minus existing markers: what redaction already put there is not
    a secret, which is what makes redacting twice a no-op."""
    markers = [m.span() for m in _MARKER.finditer(text)] if "[REDACTED:" in text else []
    for start, end, kind, rank in spans:
        pieces = [(start, end)]
        for m_start, m_end in markers:
            pieces = [p for a, b in pieces for p in ((a, min(b, m_start)), (max(a, m_end), b)) if p[0] < p[1]]
        for a, b in pieces:
            if any(c.isalnum() for c in text[a:b]):
                yield a, b, kind, rank


def _merge(spans: Iterable[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for start, end, kind, rank in sorted(spans):
        if merged and start < merged[-1][1]:
            m_start, m_end, m_kind, m_rank = merged[-1]
            best = (kind, rank) if rank < m_rank else (m_kind, m_rank)
            merged[-1] = (m_start, max(end, m_end), *best)
        else:
            merged.append((start, end, kind, rank))
    return merged


# --- our own rules ----------------------------------------------------------

_VENDOR, _THEIRS, _GENERIC, _HIGH_ENTROPY = 0, 1, 2, 3  # ranks


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    rank: int = _VENDOR
    keep: Callable[[str], bool] | None = None  # a last word on the value
    # What must stand just before the match on its line (a name and `=`):
    # checked per match, because a pattern that began with it would be tried
    # at every position of the text. `word` stands for a leading `\b`, and
    # `hint` for a word without which the rule cannot match, for that reason.
    after: re.Pattern[str] | None = None
    word: bool = False
    hint: str | None = None

    def spans(self, text: str, lowered: str) -> Iterator[_Span]:
        if self.hint is not None and self.hint not in lowered:
            return
        group = "secret" if "secret" in self.pattern.groupindex else 0
        for m in self.pattern.finditer(text):
            at = m.start()
            if self.word and at and (text[at - 1].isalnum() or text[at - 1] == "_"):
                continue
            if self.after and not self.after.search(text, max(at - 100, text.rfind("\n", 0, at) + 1), at):
                continue
            start, end = m.span(group)
            if start < end and (self.keep is None or self.keep(m.group(group))):
                yield start, end, self.kind, self.rank


def _rule(kind: str, pattern: str, flags: int = 0, **kw: Any) -> _Rule:
    return _Rule(kind, re.compile(pattern, flags), **kw)


def _mixed(value: str) -> bool:
    """Upper, lower and digit: random keys have all three, words rarely do."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)


# A secret-named key ends in one of these (`DB_PASSWORD`, `apiKey`,
# `client_secret`), which leaves out `max_tokens`, `token_url`, `tokenizer`.
_SECRET_WORD = (r"(?i:pass(?:word|wd|phrase)|secret(?:_?key)?|token|api_?key|apikey|access_?key"
                r"|private_?key|auth_?key|credentials?)")
_ASSIGN = r"""["'\]]{0,2}\s*(?::=|=>|={1,3}|:)\s*$"""
_TEMPLATE = re.compile(
    r"""^(?:\$\{.*\}|\$\w+|\{\{.*\}\}|\{[\w.]*\}|<[^<>]*>|%\(?\w*\)?s|%s|\*+|x{3,}|X{3,}|\.{3}|…"""
    r"""|None|null|nil|true|false|undefined|"""
    r"""str|string|bytes|SecretStr|int|number|bool|any|Any|object)$"""
)
_CODE_VALUE = re.compile(
    r"^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+"  # attribute chains: settings.token, process.env.X
    r"|[A-Za-z_][A-Za-z_]*"  # a bare name without digits: password = password
    r"|\d+(?:\.\d+)?|0[xob][0-9a-fA-F_]+)$"  # numbers: max_token: 1024, a ttl, a flag mask 0x1f
)


def _literal(value: str) -> bool:
    return not _TEMPLATE.match(value)


def _unquoted_literal(value: str) -> bool:
    """Unquoted, a value may be code: `token = make_token()`, `password: str`."""
    return _literal(value) and not _CODE_VALUE.match(value) and "(" not in value and "[" not in value


def _high_entropy(value: str) -> bool:
    limit = min(0.85 * math.log2(len(value)), 4.3)
    return _mixed(value) and not _UUID.search(value) and _entropy(value) >= limit and not _encoded_text(value)


def _encoded_text(value: str) -> bool:
    """Base64 of readable text (a greeting, a JSON header) is data, not key
    material; credentials that encode text (`user:pass` after `Basic`, a
    password under a secret name) are caught by the rules that name them."""
    try:
        raw = base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4), validate=True)
        return raw.decode("utf-8").replace("\n", " ").isprintable()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return False


# Bits per character, by length: random letters-and-digits strings score
# 4.0 (20 chars), 4.5 (32) and 4.8 (40) in the median; mixed-case
# identifiers (`AbstractSingletonProxyFactoryBean1`) about 4.1. The limit
# misses 1-3% of random strings of 20-32 characters and none from 40, and
# keeps such identifiers up to about 34 characters.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _entropy(value: str) -> float:
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_B64 = r"A-Za-z0-9+/=_\-"
_PEM, _PEM_KIND = "-----", r"[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
_NL = r"(?:\r?\n|\\r?\\n)"  # a line break, or its JSON escape
_PEM_LINE = r"[ \t]*(?:[A-Za-z0-9+/=]*|[A-Za-z][A-Za-z\-]*:[^\n\\]*)"  # base64, or a header (Proc-Type: …)
_RULES: tuple[_Rule, ...] = (
    # Whole blocks (also JSON-escaped, or indented in YAML), and a block whose
    # END was cut off (half a key pasted into a prompt). Line by line, so that
    # a block never reaches past text that cannot be part of it.
    _rule("private-key", rf"{_PEM}BEGIN{_PEM_KIND}(?:(?:{_NL}{_PEM_LINE})*?{_NL}[ \t]*{_PEM}END{_PEM_KIND}"
          rf"|(?:{_NL}[ \t]*[A-Za-z0-9+/=]+)*)"),
    _rule("url-password", r"://[^\s:/?#@\"'<>]*:(?P<secret>[^\s/?#@\"'<>]+)@", keep=_literal),
    _rule("github-token", r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b", word=True),
    # detect-secrets reports only the prefix (`glpat`) of these: its pattern's one group.
    _rule("gitlab-token", r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|oas|agent)-[A-Za-z0-9_\-]{20,}", word=True),
    _rule("anthropic-key", r"sk-ant-[A-Za-z0-9_\-]{20,}", word=True),
    _rule("openai-key", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}", word=True, keep=_mixed),
    _rule("aws-access-key", r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
          word=True),
    _rule("aws-secret-key", r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)[\"']?\s*(?::=|=>|[:=])\s*"
          r"[\"']?(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", hint="secret"),
    _rule("google-api-key", r"AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])", word=True),
    _rule("slack-token", r"xox[abposr]-[A-Za-z0-9\-]{10,}", word=True),
    _rule("slack-webhook", r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9_/\-]{20,})"),
    _rule("stripe-key", r"[sr]k_(?:live|test)_[A-Za-z0-9]{16,}", word=True),
    _rule("jwt", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*", word=True),
    _rule("npm-token", r"npm_[A-Za-z0-9]{36}\b", word=True),
    _rule("npm-token", r"_authToken\s*=\s*(?P<secret>\S+)", keep=_literal),
    _rule("bearer-token", r"(?:Bearer|Basic|token)\s+(?P<secret>[A-Za-z0-9._~+/\-]{20,}=*)", word=True,
          rank=_GENERIC, keep=_mixed),
    # `password = "…"`, `"apiKey": '…'`, `token := "…"`: any quoted literal.
    _rule("secret", r"""(?P<q>["'`])(?P<secret>[^"'`\n]+)(?P=q)""", after=re.compile(_SECRET_WORD + _ASSIGN),
          rank=_GENERIC, keep=_literal),
    # .env, YAML, INI: `DB_PASSWORD=hunter2`, `password: hunter2` alone on a line.
    _rule("secret", rf"""^[ \t]*(?:export[ \t]+|-[ \t]+)?["']?[\w.\-]*?{_SECRET_WORD}["']?[ \t]*[:=][ \t]*"""
          r"""(?P<secret>[^\s"'`]*[^\s"'`,;])(?:[ \t]+[#;].*)?[ \t]*\r?$""", re.M, rank=_GENERIC, keep=_unquoted_literal),
    # In prose: "the password is Tr0ub4dor&3", "password for staging: …".
    _rule("secret", r"""(?i:pass(?:word|phrase)(?:\s+for\s+[\w.\-]+)?(?:\s+is|:)\s+)"""
          r"""(?P<secret>[^\s"'`]+?)(?=[.,;:)]?(?:\s|$))""",
          word=True, hint="pass", rank=_GENERIC, keep=lambda v: _literal(v) and re.search(r"[\d!@#$%^&*]", v) is not None),
    # Random base64 in any quoted assignment, unless the name says it is a digest.
    _rule("high-entropy", rf"""(?P<q>["'`])(?P<secret>[{_B64}]{{20,}})(?P=q)""", rank=_HIGH_ENTROPY, keep=_high_entropy,
          after=re.compile(r"(?<![\w.$-])(?![\w.$-]*(?i:sha\d*|hash|digest|checksum|integrity|etag|uuid|ulid))"
                           r"[A-Za-z_$][\w.$-]*" + _ASSIGN)),
)


# --- detect-secrets ---------------------------------------------------------

# Theirs that we leave out: public IPs are not secrets (personal mode handles
# them); the context-free entropy scanners flag every quoted digest and SHA,
# which our high-entropy rule scopes to assignments; their keyword guess takes
# any name containing a keyword (`secret_name`, `password_min_length`), where
# ours wants the name to end in one.
_LEFT_OUT = {"Public IP (ipv4)", "Hex High Entropy String", "Base64 High Entropy String", "Secret Keyword"}
_THEIR_KINDS = {
    "Basic Auth Credentials": "url-password", "GitHub Token": "github-token", "JSON Web Token": "jwt",
    "Slack Token": "slack-token", "Stripe Access Key": "stripe-key", "OpenAI Token": "openai-key",
    "NPM tokens": "npm-token", "Private Key": "private-key",
}

# Lower-case words without which a plugin cannot match (read off their
# patterns): a plugin runs only on lines holding one. Unlisted ones always run.
_KEYWORDS = ("key", "pw", "pass", "token")
_THEIR_HINTS = {
    "AWS Access Key": ("a3t", "akia", "asia", "abia", "acca", "aws"), "Azure Storage Account access key": ("accountkey",),
    "Artifactory Credentials": ("akc", "ap"), "Cloudant Credentials": (*_KEYWORDS, "cloudant"),
    "GitHub Token": ("gh",), "GitLab Token": ("gl", "gr1348941"), "IBM Cloud IAM Key": _KEYWORDS,
    "IBM COS HMAC Credentials": ("secret",), "JSON Web Token": ("eyj",), "Mailchimp Access Key": ("-us",),
    "NPM tokens": ("_authtoken",), "OpenAI Token": ("t3blbkfj",), "Private Key": ("private", "putty"),
    "PyPI Token": ("pypi-",), "SendGrid API Key": ("sg.",), "Slack Token": ("xox", "hooks.slack"),
    "SoftLayer Credentials": (*_KEYWORDS, "softlayer"), "Square OAuth Secret": ("sq0csp",),
    "Stripe Access Key": ("k_live",), "Telegram Bot Token": (":",), "Twilio API Key": ("ac", "sk"),
}


@cache
def _their_plugins() -> tuple[tuple[Any, str, int, tuple[str, ...] | None], ...]:
    """Their plugins, imported on first use: that costs about 0.5 s (they
    pull in `requests`), which the editor should not pay at start-up."""
    import inspect

    from detect_secrets import plugins
    from detect_secrets.plugins.base import BasePlugin
    from detect_secrets.util.importlib import import_types_from_package

    found = []
    for cls in import_types_from_package(plugins, filter=lambda c: not (
            inspect.isclass(c) and issubclass(c, BasePlugin) and not inspect.isabstract(c))):
        if cls.secret_type in _LEFT_OUT:
            continue
        kind = _THEIR_KINDS.get(cls.secret_type) or re.sub(r"[^a-z0-9]+", "-", cls.secret_type.lower()).strip("-")
        found.append((cls(), kind, _THEIRS, _THEIR_HINTS.get(cls.secret_type)))
    return tuple(sorted(found, key=lambda p: p[1]))


@cache
def _their_filters() -> tuple[Callable[[str], bool], ...]:
    """Their heuristics against false positives, called directly (their
    settings object is a process-wide singleton, unsafe across threads)."""
    from detect_secrets.filters import heuristic as h

    return (h.is_sequential_string, h.is_potential_uuid, h.is_templated_secret, h.is_prefixed_with_dollar_sign,
            h.is_not_alphanumeric_string, lambda value: not _literal(value))


# Every secret their plugins find (beyond what our rules find anyway: URL
# passwords, key headers, keyword assignments) holds a run of ten key
# characters with a letter and a digit in it; lines without one are not
# worth 20 plugin calls.
_RUN = re.compile(r"[A-Za-z0-9_\-+/=]{10,}")


def _candidate_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line holding such a run, each line once."""
    last = -1
    for m in _RUN.finditer(text):
        if m.start() < last:
            continue
        run = m.group()
        if any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            last = len(text) if end < 0 else end + 1
            yield start, text[start:last]


def _their_spans(text: str, lowered: str) -> Iterator[_Span]:
    """Their plugins report values, not places: find each value again in its
    line, as a whole token, and mask every such occurrence. Line by line,
    as they are meant to run (on a whole text some of their patterns take
    quadratic time), and only where a plugin's hint stands."""
    plugins = [p for p in _their_plugins() if p[3] is None or any(h in lowered for h in p[3])]
    for offset, line in _candidate_lines(text):
        low = line.lower()
        for plugin, kind, rank, hints in plugins:
            if hints is not None and not any(h in low for h in hints):
                continue
            for value in set(plugin.analyze_string(line)):
                if len(value) >= 6 and not any(f(value) for f in _their_filters()):
                    for start in _token_positions(line, value):
                        yield offset + start, offset + start + len(value), kind, rank


def _token_positions(line: str, value: str) -> Iterator[int]:
    start = line.find(value)
    while start >= 0:
        end = start + len(value)
        if not (start and line[start - 1].isalnum() or end < len(line) and line[end].isalnum()):
            yield start
        start = line.find(value, start + 1)


def _secret_spans(text: str) -> Iterator[_Span]:
    lowered = text.lower()
    for rule in _RULES:
        yield from rule.spans(text, lowered)
    yield from _their_spans(text, lowered)


# --- personal identifiers ---------------------------------------------------

def _ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _phone(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return 9 <= digits <= 15 and not re.match(r"\d{4}-\d{2}-\d{2}", value) and not _ip(value)


_PERSONAL: tuple[_Rule, ...] = (
    _rule("email", r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"),
    _rule("ip-address", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)", keep=_ip),
    _rule("ip-address", r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\.\d{1,3}){3})?(?![\w:])",
          keep=_ip),
    _rule("user-name", r"(?:/home/|/Users/|[A-Za-z]:\\+Users\\+)(?P<secret>[^/\\\s\"'`:]+)"),
    _rule("phone", r"(?<![\w+.\-])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{2,4}\)[\s.\-]?)?\d{2,4}(?:[\s.\-]\d{2,4}){2,4}"
          r"(?![\w.\-]?\d)", keep=_phone),
)


def _personal_spans(text: str) -> Iterator[_Span]:
    for rule in _PERSONAL:
        yield from rule.spans(text, text)
