"""`ailedger demo`: a short walkthrough on a throwaway ledger."""

from __future__ import annotations

import argparse

HELP = """\
A two-minute walkthrough on a throwaway ledger and repository (in a
temporary folder, removed afterwards unless --keep): an AI suggestion is
accepted (a secret in the prompt never reaches the ledger), it shows as
unreviewed, a coding agent's hook records its edit of another file, the CI
gate holds both back under the repository's policy, the agent's file is
renamed with `git mv` and its attribution follows, a person reviews both,
the gate passes, the chain verifies, it syncs to an embedded audit service
on a loopback port, an incident about the model reopens its code in the
ledger and on the service, and a tampered ledger is caught. Nothing outside
the temporary folder is touched (not even your own sync settings).

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
AGENT_CODE = "\n\ndef shipping(weight_kg):\n    return 4.99 if weight_kg < 2 else 4.99 + 1.5 * (weight_kg - 2)\n"


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", help="walk through ailedger on a throwaway ledger",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.set_defaults(run=run)


def _sync_demo(console, ledger, work):  # type: ignore[no-untyped-def]
    """Start an embedded service (`ailedger serve` on a free loopback port), push, ask it back.
    Returns (service, lead's token), or None if it did not start; the caller stops it."""
    import httpx

    from ..sync.client import Endpoint, push
    from ..sync.service.local import start

    try:
        service = start(work / "service")
    except RuntimeError as err:
        console.print(f"[red]the embedded audit service did not start ({err}); skipping this step[/]")
        return None
    try:
        token = service.token("lead@example.com", role="lead")
        result = push(ledger, Endpoint(service.url, token))
        listed = httpx.get(f"{service.url}/v1/regions", headers={"authorization": f"Bearer {token}"}).json()["total"]
    except BaseException:
        service.stop()
        raise
    console.print(f"synced {result.pushed} events to the audit service at {service.url}; it verified the chain, "
                  f"signed a checkpoint (kept as this ledger's anchor) and now lists {listed} region(s) "
                  f"for the team lead's dashboard at {service.url}/.")
    return service, token


def _hook(work, repo, event: dict) -> None:  # type: ignore[no-untyped-def]
    """What an agent's installed hook runs: `ailedger record --from generic`, payload on stdin
    (its state in the temporary folder too)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, XDG_STATE_HOME=str(work / "state"), AILEDGER_DB=str(work / "ledger.db"),
               AILEDGER_USER="dev@example.com")
    subprocess.run([sys.executable, "-m", "ailedger", "record", "--from", "generic"], input=json.dumps(event),
                   text=True, cwd=repo, env=env, capture_output=True, check=False, timeout=60)


def _agent_demo(console, ledger, work, repo) -> None:  # type: ignore[no-untyped-def]
    edit = {"editId": "edit-1", "files": ["cart.py"], "tool": {"name": "acme-agent", "version": "0.3.1"},
            "model": {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"},
            "prompt": "add a shipping cost by weight"}
    _hook(work, repo, {**edit, "event": "before-edit"})
    cart = repo / "cart.py"
    cart.write_text(cart.read_text() + AGENT_CODE)  # the agent writes the file
    _hook(work, repo, {**edit, "event": "after-edit"})
    rows = [r for r in ledger.regions() if r["path"] == "cart.py"]
    for r in rows:
        console.print(f"The agent's after-edit hook recorded cart.py:{r['start_line'] + 1}-{r['end_line']} "
                      f"({r['kind']}, {r['tool_name']} {r['tool_version']}, {r['model_provider']}/{r['model_id']}); "
                      "`ailedger hooks status` says which agents on this machine are hooked and which are not.")


def _move_demo(console, ledger, repo) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from ..placement import locate, record_moves

    git = ["git", "-C", str(repo), "-c", "user.email=dev@example.com", "-c", "user.name=Dev"]
    subprocess.run([*git, "add", "-A"], check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "pricing and shipping"], check=True, capture_output=True)
    subprocess.run([*git, "mv", "cart.py", "basket.py"], check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "rename cart to basket"], check=True, capture_output=True)
    layout = locate(ledger, repo)
    for event in record_moves(ledger, layout):
        p = event.content["payload"]
        console.print(f"git mv cart.py basket.py: the placement engine finds the agent's code at "
                      f"{p['path']}:{p['range']['start']['line'] + 1} ({p['via']}) and records a region-move event; "
                      "blame, check, reports and the dashboard all follow it.")


def _incident_demo(console, ledger, work, region_id: str, synced) -> None:  # type: ignore[no-untyped-def]
    """`ailedger incident open` as a lead runs it, sent at once to the audit service of step 8 (`synced`:
    (service, token), or None if it did not start: then only this ledger knows)."""
    import os
    import subprocess
    import sys

    import httpx

    env = {k: v for k, v in os.environ.items() if k not in ("AILEDGER_ENDPOINT", "AILEDGER_TOKEN")}
    env.update(AILEDGER_DB=str(work / "ledger.db"), AILEDGER_USER="lead@example.com",
               XDG_CONFIG_HOME=str(work / "config"))  # not the user's own [sync] settings
    if synced:
        env.update(AILEDGER_ENDPOINT=synced[0].url, AILEDGER_TOKEN=synced[1])
    done = subprocess.run([sys.executable, "-m", "ailedger", "incident", "open", "--model", "openai/gpt-4.1@2025-04-14",
                           "--reason", "faulty model version: rounding"], env=env, cwd=work, capture_output=True,
                          text=True, check=False, timeout=60)
    if done.returncode != 0:
        console.print(f"[red]incident open failed: {done.stderr.strip()}[/]")
        return
    row = ledger.region(region_id)
    console.print(f"{done.stdout.strip()}\nEvery region that model wrote is back under review "
                  f"(pricing.py is now [yellow]{row['status']}[/]: `ai-reopened` in every editor, teammates' too after "
                  "sync); `ailedger incident report ID` writes the defect report for the provider.")
    if synced:
        service, token = synced
        reopened = httpx.get(f"{service.url}/v1/regions", params={"status": "reopened"},
                             headers={"authorization": f"Bearer {token}"}).json()["total"]
        console.print(f"The audit service reopened the same {reopened} region(s) for the whole organisation; its "
                      f"dashboard lists the incident at {service.url}/incidents.")


def _gate_demo(console, ledger, repo) -> None:  # type: ignore[no-untyped-def]
    from .. import policy as policies
    from ..placement.gate import check
    from ..ledger.identity import repo_of_folder

    result = check(ledger, repo_of_folder(repo), policies.at(repo))
    for s in result.shortfalls:
        why = " (the author may not approve it: self-review = false)" if s.rules.self_review is False else ""
        console.print(f"[red]FAIL[/] {s.path}:{s.first_line}-{s.last_line} {s.finding.code} \\[tier {s.rules.name}]: "
                      f"no review yet{why}")
    if result.shortfalls:
        console.print("-> exit 1")
    if result.passed:
        console.print(f"[green]ok[/]: {result.regions} AI region(s) meet .ailedger.toml (policy "
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
        (repo / "cart.py").write_text("def items(cart):\n    return list(cart)\n")
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

        say("A coding agent edits cart.py; its hook records what it wrote")
        _agent_demo(console, ledger, work, repo)

        say("CI asks `ailedger check` whether the code meets .ailedger.toml")
        _gate_demo(console, ledger, repo)

        say("The agent's file is renamed; attribution follows the code")
        _move_demo(console, ledger, repo)

        say("A reviewer reads both and counter-signs the exact text")
        from datetime import datetime, timezone

        live = [r for r in ledger.regions() if r["status"] != "ended"]
        ledger.append("review", {
            "regionIds": [r["region_id"] for r in live], "reviewer": lead, "verdict": "approved",
            "note": "discount and shipping rules match the spec",
            "textSha256": {r["region_id"]: r["text_sha256"] for r in live},
            "reviewedAt": datetime.now(timezone.utc)}, actor=lead)
        console.print(f"{lead} approved them: pricing.py's region is now [green]{ledger.region(region_id)['status']}[/], "
                      "and the diagnostics are gone.")
        _gate_demo(console, ledger, repo)

        say("Every event is chained by hash; `ailedger verify` checks the chain")
        report = ledger.verify()
        console.print(f"[green]ok[/]: {report.events} events, chain intact; head anchored for next time.")

        say("The ledger syncs to your organisation's audit service")
        synced = _sync_demo(console, ledger, work)
        try:
            say("A faulty model version turns up: open an incident")
            _incident_demo(console, ledger, work, region_id, synced)
        finally:
            if synced:
                synced[0].stop()

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
