"""Commit and push what an update generated; when another push wins the race, redo the merge on the new tip.

Runs on the standard library alone (the workflow starts it with `python -E -s -S`, without site-packages), so no
installed package ever runs in the process that holds the token.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from . import actions
from .errors import ListError
from .layout import Layout

# Everything `python -m scripts.update` writes. A run commits these paths and nothing else in the checkout.
GENERATED = ("README.md", "articles/**", "collection/*.md", "assets/img/*.svg")
DEFAULT_RETRIES = 3
MONTH_FILE = re.compile(r"^articles/data/\d{4}-\d{2}\.json$")
STATE_FILE = "articles/data/state.json"
PR_SET_DUMPABLE = 4  # linux/prctl.h
# Kept away from the update command that redoes a merge: it needs neither the token nor the step's output files.
PRIVATE_ENV = ("GITHUB_TOKEN", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")

Merge = Callable[[Path], None]


class PublishError(ListError):
    """The generated pages could not be committed or pushed."""


def is_generated(path: str) -> bool:
    """Whether a repository-relative POSIX path is one the update writes; hidden files (locks, temp files) never are."""
    parts = path.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    return any(path_matches(parts, pattern.split("/")) for pattern in GENERATED)


def path_matches(parts: list[str], pattern: list[str]) -> bool:
    """Match path segments against pattern segments; a final `**` matches one or more segments."""
    if pattern[-1] == "**":
        head = pattern[:-1]
        return len(parts) > len(head) and all(map(fnmatchcase, parts, head))
    return len(parts) == len(pattern) and all(map(fnmatchcase, parts, pattern))


def plural(count: int, noun: str) -> str:
    """Return e.g. '1 paper' or '12 papers'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def commit_message(new: int, updated: int) -> str:
    """Return the commit subject for a run that found `new` papers and refreshed `updated` ones."""
    if new:
        subject = f"Add {plural(new, 'new paper')}"
        return f"{subject} ({updated} updated)" if updated else subject
    if updated:
        return f"Update {plural(updated, 'paper')}"
    return "Refresh the generated pages"


def auth_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Return environ plus git configuration that sends GITHUB_TOKEN to the server, as actions/checkout does."""
    env = dict(environ)
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        return env
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    index = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
    env["GIT_CONFIG_COUNT"] = str(index + 1)
    env[f"GIT_CONFIG_KEY_{index}"] = f"http.{server}/.extraheader"
    env[f"GIT_CONFIG_VALUE_{index}"] = f"AUTHORIZATION: basic {basic}"
    return env


def merge_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Return environ without the token, the git configuration that carries it, and the step's output files."""
    return {key: value for key, value in environ.items() if key not in PRIVATE_ENV and not key.startswith("GIT_CONFIG_")}


def update_merge(root: Path, environ: Mapping[str, str] | None = None) -> Merge:
    """Return a merge step that runs `python -m scripts.update --no-fetch --merge-archive DIR --merge-base BASE`
    in root, where DIR holds the papers this run changed and BASE (DIR's sibling) the records they had before."""

    def merge(saved_archive: Path) -> None:
        command = [sys.executable, "-m", "scripts.update", "--no-fetch", "--merge-archive", str(saved_archive),
                   "--merge-base", str(saved_archive.parent / "base")]
        hide_environment()
        result = subprocess.run(command, cwd=root, env=merge_env(os.environ if environ is None else environ), check=False)
        if result.returncode != 0:
            raise PublishError(
                f"{Layout(root).data}: merging this run's papers into the newer commit failed "
                f"(`{' '.join(command[1:])}` exited {result.returncode}); see its message above, fix it, and rerun the workflow"
            )

    return merge


def hide_environment() -> None:
    """On Linux, make this process's /proc files (its environment: the token) unreadable to the programs it starts."""
    if sys.platform.startswith("linux") and ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        reason = os.strerror(ctypes.get_errno())
        raise PublishError(f"prctl(PR_SET_DUMPABLE) failed ({reason}): the merge would run where it could read "
                           "the token; nothing was published")


@dataclass
class Git:
    """Runs git in one checkout with a fixed environment."""

    root: Path
    env: Mapping[str, str] | None = None

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `git ARGS`; raise PublishError with git's own message when it fails and check is set."""
        env = None if self.env is None else dict(self.env)
        result = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, encoding="utf-8",
                                check=False)
        if check and result.returncode != 0:
            reason = last_line(result.stderr) or f"exit status {result.returncode}"
            raise PublishError(f"{self.root}: `git {' '.join(args)}` failed: {reason}")
        return result

    def out(self, *args: str) -> str:
        """Return the stripped standard output of a git command that must succeed."""
        return self.run(*args).stdout.strip()


def last_line(text: str) -> str:
    """Return the last non-empty line of text, or ''."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def changed_paths(git: Git) -> list[str]:
    """Return every path with uncommitted changes (modified, added, deleted or untracked), relative to the root."""
    status = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames").stdout
    return [entry[3:] for entry in status.split("\0") if entry]


def commit_generated(git: Git, message: str) -> bool:
    """Stage and commit the changed generated paths; return False when there is nothing to commit."""
    paths = [path for path in changed_paths(git) if is_generated(path)]
    if not paths:
        return False
    git.run("add", "--all", "--", *paths)
    git.run("commit", "--quiet", "--no-verify", "-m", message)
    return True


@dataclass
class Publisher:
    """Commits generated pages and pushes them to one branch, redoing the merge when the branch moved meanwhile."""

    git: Git
    remote: str
    branch: str
    merge: Merge
    retries: int = DEFAULT_RETRIES
    log: Callable[[str], None] = print

    @property
    def tracking_ref(self) -> str:
        """The local ref that holds the remote branch's tip after a fetch."""
        return f"refs/remotes/{self.remote}/{self.branch}"

    def publish(self, message: str) -> str | None:
        """Commit and push; return the pushed commit, or None when nothing needed publishing."""
        if not commit_generated(self.git, message):
            self.log("No generated file changed; nothing to commit.")
            return None
        for attempt in range(self.retries + 1):
            if self.push():
                return self.git.out("rev-parse", "HEAD")
            if attempt == self.retries:
                break
            if not self.redo_on_remote_tip(message):
                self.log(f"{self.remote}/{self.branch} already holds everything this run found; nothing to push.")
                return None
        raise PublishError(
            f"{self.remote}/{self.branch}: the push lost the race to other commits {self.retries + 1} times; "
            "nothing from this run was published, rerun the workflow when pushes to the branch have settled"
        )

    def push(self) -> bool:
        """Push HEAD; return False when the branch moved on since the checkout, raise on any other failure."""
        result = self.git.run("push", "--quiet", self.remote, f"HEAD:refs/heads/{self.branch}", check=False)
        if result.returncode == 0:
            self.log(f"Pushed {self.git.out('rev-parse', '--short', 'HEAD')} to {self.remote}/{self.branch}.")
            return True
        self.fetch()
        behind = self.git.run("merge-base", "--is-ancestor", self.tracking_ref, "HEAD", check=False).returncode
        if behind == 1:
            return False
        raise PublishError(
            f"{self.remote}/{self.branch}: git push failed: {last_line(result.stderr) or 'no message'}; "
            "if permission was denied, set Settings > Actions > General > Workflow permissions to 'Read and write permissions'"
        )

    def fetch(self) -> None:
        """Update the tracking ref to the remote branch's tip."""
        self.git.run("fetch", "--quiet", "--no-tags", self.remote, f"+refs/heads/{self.branch}:{self.tracking_ref}")

    def redo_on_remote_tip(self, message: str) -> bool:
        """Move to the remote tip, merge this run's papers into it and commit; return False if nothing changed."""
        tip = self.git.out("rev-parse", "--short", self.tracking_ref)
        self.log(f"{self.remote}/{self.branch} moved to {tip} during this run; merging this run's papers into it.")
        with tempfile.TemporaryDirectory(prefix="publish-archive-") as temp:
            saved = Path(temp) / "data"
            save_contribution(self.git, saved, Path(temp) / "base")
            move_to(self.git, self.tracking_ref)
            self.merge(saved)
        return commit_generated(self.git, f"{message}\n\nMerged with {tip}, which reached the branch while this run was in progress.")


def move_to(git: Git, ref: str) -> None:
    """Move HEAD and the files it changed to ref, keeping every uncommitted change; refuse rather than overwrite one."""
    result = git.run("reset", "--quiet", "--keep", ref, check=False)
    if result.returncode != 0:
        raise PublishError(
            f"{git.root}: moving to {ref} would overwrite uncommitted changes "
            f"({last_line(result.stderr) or 'git reset --keep failed'}); nothing was published: "
            "commit or stash them, then rerun"
        )


def save_contribution(git: Git, target: Path, base: Path) -> None:
    """Write what this run's commit changed in the archive: the papers it added or changed (month files in target, and
    the state with the watermark) and the records those papers had before (the same files in base)."""
    target.mkdir(parents=True)
    base.mkdir(parents=True)
    names = git.run("diff", "--name-only", "--no-renames", "-z", "HEAD^", "HEAD", "--", Layout(Path()).data.as_posix()).stdout
    for name in sorted(filter(MONTH_FILE.match, names.split("\0"))):
        ours, before = committed_json(git, "HEAD", name), committed_json(git, "HEAD^", name)
        if ours is None:
            continue  # the run emptied a month: its papers were dropped by overrides the newer commit holds too
        original = {paper["id"]: paper for paper in (before or {}).get("papers", [])}
        changed = [paper for paper in ours.get("papers", []) if original.get(paper["id"]) != paper]
        if changed:
            file_name = name.rsplit("/", 1)[1]
            write_json(target / file_name, {**ours, "papers": changed})
            before_records = [original[paper["id"]] for paper in changed if paper["id"] in original]
            write_json(base / file_name, {**ours, "papers": before_records})
    state = committed_json(git, "HEAD", STATE_FILE)
    if state is not None:
        write_json(target / "state.json", state)


def committed_json(git: Git, revision: str, name: str) -> dict[str, Any] | None:
    """Return a JSON file as committed at revision, or None when it does not exist there."""
    result = git.run("show", f"{revision}:{name}", check=False)
    if result.returncode != 0:
        return None
    try:
        data = json.loads(result.stdout)
    except ValueError as error:
        raise PublishError(f"{name} at {revision}: not valid JSON ({error}); fix the file and rerun") from error
    if not isinstance(data, dict):
        raise PublishError(f"{name} at {revision}: expected a JSON object, got {type(data).__name__}; fix the file and rerun")
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write data as the archive stores JSON: sorted, indented, one trailing newline."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def current_branch(git: Git) -> str:
    """Return the checked-out branch; raise when HEAD is detached."""
    result = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if result.returncode != 0:
        raise PublishError(f"{git.root}: HEAD is detached; check out a branch or pass --branch NAME")
    return result.stdout.strip()


def append_summary(environ: Mapping[str, str], text: str) -> None:
    """Append Markdown to the job summary when running in GitHub Actions."""
    actions.append(environ, actions.SUMMARY, text.rstrip("\n") + "\n")


def count(text: str) -> int:
    """Parse a paper count (argparse type); an empty value means 0."""
    value = int(text or "0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"a count cannot be negative, got {value}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m scripts.publish", description=__doc__)
    parser.add_argument("--new", type=count, default=0, help="papers the update added (for the commit message)")
    parser.add_argument("--updated", type=count, default=0, help="papers the update refreshed (for the commit message)")
    parser.add_argument("--remote", default="origin", help="remote to push to (default: origin)")
    parser.add_argument("--branch", help="branch to push to (default: the checked-out branch)")
    parser.add_argument("--retries", type=count, default=DEFAULT_RETRIES, help="redo-and-push attempts after a lost race")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the checkout (default: the current folder)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None, merge: Merge | None = None) -> int:
    """Publish from the command line; return the exit status."""
    args = parse_args(argv)
    environ = os.environ if environ is None else environ
    git = Git(args.root, auth_env(environ))
    message = commit_message(args.new, args.updated)
    try:
        publisher = Publisher(git, args.remote, args.branch or current_branch(git), merge or update_merge(args.root), args.retries)
        pushed = publisher.publish(message)
    except ListError as error:
        print(f"publish: error: {error}", file=sys.stderr)
        append_summary(environ, f"**Publish failed:** {error}")
        return 1
    outcome = f"Pushed `{pushed[:12]}` to `{publisher.branch}`: {message}" if pushed else "No changes to publish; nothing was committed."
    append_summary(environ, f"### Publish\n\n{outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
