"""Path globs as `.gitignore` and CODEOWNERS users write them.

`payments/**` is everything under payments/, `*.sql` any SQL file at any
depth, `src/*/api.py` one level down. Python 3.11's fnmatch lets `*` cross
slashes, which would put `tests/payments/x.py` in a `payments/**` tier, so
globs are translated here, once, to anchored regexes.
"""

from __future__ import annotations

import re


class BadGlob(ValueError):
    """The glob cannot mean anything: the message says why."""


def translate(glob: str) -> re.Pattern[str]:
    if not glob or glob.strip() != glob:
        raise BadGlob("empty, or starts or ends with a space")
    if glob.startswith("/"):
        raise BadGlob("paths are relative to the repository root: drop the leading '/'")
    if "\\" in glob:
        raise BadGlob("use '/' between folders")
    if "***" in glob:
        raise BadGlob("'***' is not a pattern: use '**' for any folders, '*' within a name")
    anywhere = "/" not in glob.rstrip("/")  # like .gitignore: `*.sql` matches at any depth
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            if (i and glob[i - 1] != "/") or (i + 2 < len(glob)):
                raise BadGlob("'**' must be a whole path part, as in 'src/**' or '**/test_*.py'")
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1:i + 2] in ("!", "]") else i + 1)
            if end < 0:
                raise BadGlob("'[' has no closing ']'")
            body = glob[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "]":
            raise BadGlob("']' without '['")
        else:
            out.append(re.escape(c))
            i += 1
    pattern = "".join(out)
    if glob.endswith("/"):
        pattern += ".*"  # a folder: everything in it
    return re.compile(("(?:.*/)?" if anywhere else "") + pattern + r"\Z")
