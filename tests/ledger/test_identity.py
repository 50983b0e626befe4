from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ailedger.ledger.identity import normalise_remote, repo_of
from helpers import git


@pytest.mark.parametrize("url", [
    "git@git.example.com:acme/shop.git",
    "ssh://git@git.example.com/acme/shop.git",
    "https://git.example.com/acme/shop",
    "https://user:token@GIT.example.com/acme/shop.git/",
    "ssh://git@git.example.com:2222/acme/shop.git",
])
def test_every_spelling_of_one_remote_is_one_repository(url: str) -> None:
    assert normalise_remote(url) == "git.example.com/acme/shop"


def test_repo_identity_and_relative_path(repo: Path) -> None:
    (repo / "src").mkdir()
    (repo / "src" / "m.py").write_text("x = 1\n")
    ref = repo_of(repo / "src" / "m.py")
    assert (ref.repo, ref.path, ref.root) == ("git.example.com/acme/shop", "src/m.py", repo.resolve())


def test_repo_without_origin_is_its_root(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "solo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "a.py").write_text("")
    assert repo_of(root / "a.py").repo == f"local:{root.resolve()}"


def _user(env: dict[str, str], cwd: Path) -> str:
    code = "from ailedger.ledger.identity import current_user; print(current_user())"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True).stdout.strip()


def test_user_from_env_then_git_config(repo: Path, env: dict[str, str]) -> None:
    assert _user(env, repo) == "dev@example.com"
    git(repo, "config", "user.email", "from-git@example.com")
    without = {k: v for k, v in env.items() if k != "AILEDGER_USER"}
    assert _user(without, repo) == "from-git@example.com"
