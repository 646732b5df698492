"""Where an issue stands: draft, approved (by whom, when), or changed since its approval.

Approvals count for the folder as it is: an approval of files that then change is void,
and approving again is the way forward. ``[review] approvals`` different people must
approve the same version (the same files built into the same editions); a name given
twice (in any letter case or spacing) counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from newsletter.exceptions import NewsletterError, display_path
from newsletter.load import Project
from newsletter.review import store
from newsletter.review.folder import changed_files, folder_files, manifest_hash
from newsletter.review.store import Approval


def same_person(name: str) -> str:
    """A name as approvals compare it: spacing and letter case do not make a new person."""
    return " ".join(name.split()).casefold()


def first_names(approvals: list[Approval]) -> list[str]:
    """The different people among ``approvals``, each as they first wrote their name."""
    seen: dict[str, str] = {}
    for approval in approvals:
        seen.setdefault(same_person(approval.approved_by or ""), approval.approved_by or "")
    return list(seen.values())


@dataclass(frozen=True)
class ReviewStatus:
    """An issue folder against its approvals in the database."""

    folder: Path
    required: int
    approvals: list[Approval]  # every approval by a person, oldest first
    current: list[Approval]  # those of the folder as it is now (one version)
    changed: list[str]  # files changed since the last approval, when none is current

    @property
    def approvers(self) -> list[str]:
        """The different people who approved the folder as it is, first come first."""
        return first_names(self.current)

    @property
    def approved(self) -> bool:
        return self.required == 0 or len(self.approvers) >= self.required

    @property
    def approval(self) -> Approval | None:
        """The latest approval of the folder as it is: its editions are what is sent."""
        return self.current[-1] if self.current else None

    @property
    def last(self) -> Approval | None:
        return self.approvals[-1] if self.approvals else None

    def describe(self) -> str:
        """One line for people: draft, approved by …, or changed since the approval."""
        if self.required == 0:
            return "review off ([review] approvals = 0): sent and published as it builds"
        approval, last = self.approval, self.last
        if approval is not None:
            line = (f"approved by {', '.join(self.approvers)}, last on {approval.when} "
                    f"(sha256 {approval.short})")  # fmt: skip
            if self.approved:
                return line
            missing = self.required - len(self.approvers)
            who = "person" if missing == 1 else "people"
            return (f"draft: {line}; {len(self.approvers)} of {self.required} approvals: "
                    f"{missing} more {who} must approve")  # fmt: skip
        if last is None:
            return "draft: not approved yet"
        return (f"draft: changed since the approval by {last.approved_by} on {last.when} "
                f"(sha256 {last.short}): {', '.join(self.changed)}")  # fmt: skip


def describe_approval(approval: Approval | None, engine: Engine | None = None) -> str:
    """``approved by Anna Nowak, Jan Kowalski on 2021-01-14 10:02 UTC (sha256 1a2b3c4d5e6f)``:
    with ``engine``, everyone who had approved that version by then."""
    if approval is None:
        return "no approval recorded (sent before approvals existed)"
    if approval.approved_by is None:
        return (f"not reviewed ([review] approvals = 0), as built on {approval.when} "
                f"(sha256 {approval.short})")  # fmt: skip
    names = [approval.approved_by]
    if engine is not None:
        earlier = [a for a in store.approvals_of(engine, approval.issue_id)
                   if a.approved_by and a.id <= approval.id and a.same_version(approval)]
        names = first_names(earlier)
    return f"approved by {', '.join(names)} on {approval.when} (sha256 {approval.short})"


def review_status(engine: Engine | None, folder: Path, issue_id: str,
                  project: Project) -> ReviewStatus:  # fmt: skip
    """The issue in ``folder`` against its approvals (``engine`` may be None when the
    review is off)."""
    required = project.site.review.approvals
    if required == 0 or engine is None:
        return ReviewStatus(folder, required, [], [], [])
    everything = [a for a in store.approvals_of(engine, issue_id) if a.approved_by]
    sources = folder_files(folder)
    now_hash = manifest_hash(sources)
    matching = [a for a in everything if a.sources_hash == now_hash]
    current = [a for a in matching if a.same_version(matching[-1])] if matching else []
    changed = [] if current or not everything else changed_files(everything[-1].sources, sources)
    return ReviewStatus(folder, required, everything, current, changed)


def approve(engine: Engine, folder: Path, project: Project,
            by: str) -> tuple[Approval, ReviewStatus]:  # fmt: skip
    """Record ``by``'s approval of the issue in ``folder`` as it is now: builds its e-mail
    editions (refused as `send` would refuse them) and stores them with the hash of every
    file. Returns the approval and the issue's status afterwards."""
    name = " ".join(by.split())
    if not name or len(name) > 200:
        raise NewsletterError("--by needs the approver's name (at most 200 characters), "
                              "e.g. --by \"Anna Nowak\"")  # fmt: skip
    approval = _take(engine, folder, project, name)
    return approval, review_status(engine, folder, approval.issue_id, project)


def snapshot(engine: Engine, folder: Path, project: Project) -> Approval:
    """With the review off: the editions of the folder as it is, stored like an approval
    by nobody, so a scheduled send still sends what was there when it was scheduled."""
    return _take(engine, folder, project, None)


def _take(engine: Engine, folder: Path, project: Project, by: str | None) -> Approval:
    """Build the folder's e-mail editions and store them as approved by ``by``."""
    from newsletter.load import load_issue
    from newsletter.review.editions import edition_files

    sources = folder_files(folder)
    issue = load_issue(folder, project)
    files = edition_files(issue, project)
    if folder_files(folder) != sources:  # an edit while it built: approve what is there
        raise NewsletterError(f"{display_path(folder)} changed while it was being built: "
                              "run the command again")  # fmt: skip
    return store.record(engine, issue.id, folder, by, sources, files)


def sendable(engine: Engine, folder: Path, project: Project) -> Approval:
    """The approval whose editions a send to the list carries: the folder's valid
    approval, or NewsletterError naming what changed and the last approval. With the
    review off, a snapshot of the folder as it is."""
    from newsletter.load import load_issue

    if project.site.review.approvals == 0:
        return snapshot(engine, folder, project)
    issue = load_issue(folder, project)
    status = review_status(engine, folder, issue.id, project)
    if not status.approved or status.approval is None:
        raise NewsletterError(f"issue {issue.id} is not approved for sending: "
                              f"{status.describe()}; `newsletter approve {display_path(folder)} "
                              "--by NAME` approves it as it is")  # fmt: skip
    return status.approval


def publication_gate(engine: Engine, project: Project):  # type: ignore[no-untyped-def]
    """For `site`: of an issue folder, None when it is published (approved as it is),
    else why not. An issue's id is its folder's name, so no folder is loaded here."""

    def why_not(folder: Path) -> str | None:
        status = review_status(engine, folder, folder.name, project)
        return None if status.approved else status.describe()

    return why_not
