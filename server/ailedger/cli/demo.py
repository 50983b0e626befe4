"""`ailedger demo`: a short walkthrough on a throwaway ledger."""

from __future__ import annotations

import argparse

HELP = """\
A two-minute walkthrough on a throwaway ledger and repository (in a
temporary folder, removed afterwards unless --keep): an AI suggestion is
accepted (a secret in the prompt never reaches the ledger), it shows as
unreviewed, the CI gate holds it back under the repository's policy, a
person reviews it, the gate passes, the chain verifies, it syncs to an
embedded audit service on a loopback port, and a tampered ledger is caught. Nothing outside the temporary folder is touched.

example:
  ailedger demo
  ailedger demo --keep     keep the folder to poke at it with other commands
"""

POLICY = """\
version = "demo-1"
[prompts]
retention = "full"
[[tier]]
name = "pricing"
paths = ["pricing.py"]
reviews = 1
self-review = false
severity = "warning"
"""
PROMPT = "bulk discount for 10+ items; test key sk-proj-FAKEdemoKEY0000000000000000000000000000demo"
SUGGESTION = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", help="walk through ailedger on a throwaway ledger",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.set_defaults(run=run)


def _sync_demo(console, ledger, work):  # type: ignore[no-untyped-def]
    """Start an embedded service (`ailedger serve` on a free loopback port), push, ask it back."""
    import httpx

    from ..sync.client import Endpoint, push
    from ..sync.service.local import start

    try:
        service = start(work / "service")
    except RuntimeError as err:
        console.print(f"[red]the embedded audit service did not start ({err}); skipping this step[/]")
        return
    try:
        token = service.token("lead@example.com", role="lead")
        result = push(ledger, Endpoint(service.url, token))
        listed = httpx.get(f"{service.url}/v1/regions", headers={"authorization": f"Bearer {token}"}).json()["total"]
        console.print(f"synced {result.pushed} events to the audit service at {service.url}; it verified the chain, "
                      f"signed a checkpoint (kept as this ledger's anchor) and now lists {listed} region(s) "
                      f"for the team lead's dashboard at {service.url}/.")
    finally:
        service.stop()


def _gate_demo(console, ledger, repo) -> None:  # type: ignore[no-untyped-def]
    from .. import policy as policies
    from ..placement.gate import check
    from ..ledger.identity import repo_of_folder

    result = check(ledger, repo_of_folder(repo), policies.at(repo))
    for s in result.shortfalls:
        console.print(f"[red]FAIL[/] {s.path}:{s.first_line}-{s.last_line} {s.finding.code} \\[tier {s.rules.name}]: "
                      f"no review yet (the author may not approve it: self-review = false) -> exit 1")
    if result.passed:
        console.print(f"[green]ok[/]: {result.regions} AI region meets .ailedger.toml (policy "
                      f"{result.policy.version}) -> exit 0")


def run(args: argparse.Namespace) -> int:
    import shutil
    import sqlite3
    import subprocess
    import tempfile
    from pathlib import Path

    from rich.console import Console

    from ..capture import acceptance_payload, check_text_at
    from ..placement.describe import region_message
    from ..ledger.ids import new_id
    from ..ledger.identity import repo_of
    from ..ledger.store import Ledger
    from ..models import AcceptanceParams, validate

    console = Console(highlight=False)
    step = iter(range(1, 20))

    def say(title: str) -> None:
        console.print(f"\n[bold cyan]{next(step)}. {title}[/]")

    work = Path(tempfile.mkdtemp(prefix="ailedger-demo-"))
    repo = work / "shop"
    repo.mkdir()
    user, lead = "dev@example.com", "lead@example.com"
    try:
        subprocess.run(["git", "init", "-q", str(repo)], check=False, capture_output=True)
        subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "git@git.example.com:acme/shop.git"],
                       check=False, capture_output=True)
        before = "def total(price, qty):\n"
        after = before + SUGGESTION
        (repo / "pricing.py").write_text(after)
        (repo / ".ailedger.toml").write_text(POLICY)
        ledger = Ledger(work / "ledger.db")
        console.print(f"[dim]Throwaway ledger: {ledger.path}[/]")

        say("An AI assistant suggests code in pricing.py, and you press Tab")
        console.print(f"[green]{SUGGESTION.rstrip()}[/]")
        params = validate(AcceptanceParams, {
            "textDocument": {"uri": (repo / "pricing.py").as_uri()},
            "range": {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}},
            "text": SUGGESTION, "kind": "inline",
            "tool": {"name": "copilot", "version": "1.250.0"},
            "model": {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"},
            "prompt": PROMPT, "parameters": {"temperature": 0.2},
        }, "acceptance")
        check_text_at(after, params, "utf-16")  # the editor's copy really holds the text
        payload = acceptance_payload(params, region_id=new_id(), user=user, where=repo_of(repo / "pricing.py"))
        event = ledger.append("acceptance", payload, actor=user)
        region_id = payload["regionId"]
        console.print(f"The editor tells ailedger; the ledger appends event {event.id} "
                      f"(seq {event.seq}, hash {event.hash[:12]}…) for region {region_id}.")
        console.print(f"The prompt is kept as the policy says (retention \"full\"), secrets masked first:\n"
                      f"[dim]{payload['prompt']}[/]")

        say("Your editor shows it as a diagnostic until someone reviews it")
        row = ledger.region(region_id)
        console.print(f"[yellow]pricing.py:2  ailedger(ai-unreviewed)  {region_message(row)}[/]")

        say("CI asks `ailedger check` whether the code meets .ailedger.toml")
        _gate_demo(console, ledger, repo)

        say("A reviewer reads it and counter-signs the exact text")
        from datetime import datetime, timezone

        ledger.append("review", {
            "regionIds": [region_id], "reviewer": lead, "verdict": "approved",
            "note": "discount rule matches the spec", "textSha256": {region_id: payload["textSha256"]},
            "reviewedAt": datetime.now(timezone.utc)}, actor=lead)
        console.print(f"{lead} approved it: the region is now [green]{ledger.region(region_id)['status']}[/], "
                      "and the diagnostic is gone.")
        _gate_demo(console, ledger, repo)

        say("Every event is chained by hash; `ailedger verify` checks the chain")
        report = ledger.verify()
        console.print(f"[green]ok[/]: {report.events} events, chain intact; head anchored for next time.")

        say("The ledger syncs to your organisation's audit service")
        _sync_demo(console, ledger, work)

        say("Someone edits the ledger behind its back...")
        raw = sqlite3.connect(ledger.path)
        raw.execute("DROP TRIGGER events_no_update")
        raw.execute("UPDATE events SET body = replace(body, 'gpt-4.1', 'gpt-3.5') WHERE seq = 1")
        raw.commit()
        raw.close()
        report = ledger.verify()
        console.print(f"[red]FAILED[/]: {report.problem}")
        ledger.close()

        console.print("\n[bold]Next:[/] point your editor at `ailedger lsp`, or record from an agent hook with "
                      "`ailedger record --help`.")
    finally:
        if args.keep:
            console.print(f"[dim]Kept {work}[/]")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0
