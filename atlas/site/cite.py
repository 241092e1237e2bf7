"""How to cite the atlas and each of its pages: BibTeX, an APA-like reference and Highwire meta tags.

The edition (version and date) comes from CITATION.cff and git, never from the clock, so two builds
of the same commit cite the same way.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import yaml

from atlas.records.bibtex_writer import escape_latex, protected, write_entry
from atlas.records.ids import bare_doi
from atlas.records.mathtext import plain_prose
from atlas.records.model import Paper
from atlas.records.names import inverted_name
from atlas.records.venue_kinds import venue_kind

NAME = "GenAI Challenges Atlas"


@dataclass(frozen=True)
class Edition:
    version: str
    date: str  # ISO date of the commit the site is built from (or CITATION.cff's date-released)
    site_url: str
    authors: tuple[str, ...]
    repo_url: str = ""  # the repository (mkdocs.yml's repo_url), where readers edit a record or report a problem
    branch: str = "main"  # the branch its edit links open (from mkdocs.yml's edit_uri)

    def edit_url(self, path: str) -> str:
        """Where a reader edits the repository's file at `path` (empty without a repository)."""
        return f"{self.repo_url}/edit/{self.branch}/{path}" if self.repo_url else ""

    def file_url(self, path: str) -> str:
        """Where a reader reads the repository's file at `path` (empty without a repository)."""
        return f"{self.repo_url}/blob/{self.branch}/{path}" if self.repo_url else ""

    def issue_url(self, title: str, page: str) -> str:
        """A new issue about the page at `page` (below the site), its address filled in."""
        if not self.repo_url:
            return ""
        body = f"Page: {self.site_url}{page}\n\nWhat is wrong, and the source that shows it:\n"
        return f"{self.repo_url}/issues/new?" + urlencode({"title": title, "body": body})

    @property
    def year(self) -> str:
        return self.date[:4]


def _git_date(root: Path) -> str | None:
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def edition_of(root: Path, site_url: str | None, repo_url: str | None = None, edit_uri: str | None = None) -> Edition:
    try:
        cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        cff = {}
    authors = tuple(
        a.get("name") or " ".join(part for part in (a.get("given-names"), a.get("family-names")) if part)
        for a in cff.get("authors") or []
        if isinstance(a, dict)
    ) or (f"{NAME} contributors",)
    date = _git_date(root) or str(cff.get("date-released") or "")
    branch = re.match(r"(?:edit|blob)/([^/]+)/", edit_uri or "")
    return Edition(
        str(cff.get("version") or "unversioned"), date, (site_url or "").rstrip("/") + "/", authors,
        (repo_url or "").rstrip("/"), branch.group(1) if branch else "main",
    )  # fmt: skip


@dataclass(frozen=True)
class PageCitation:
    key: str
    title: str
    url: str
    edition: Edition

    @property
    def bibtex(self) -> str:
        authors = " and ".join(protected(author) for author in self.edition.authors)
        fields = [
            ("title", protected(self.title)),
            ("author", authors),
            ("howpublished", f"{NAME}, version {escape_latex(self.edition.version)}"),
            ("year", self.edition.year),
            ("url", self.url),
            ("note", f"Version {escape_latex(self.edition.version)} of {self.edition.date}"),
        ]
        return write_entry("misc", self.key, [(name, value) for name, value in fields if value])

    @property
    def reference(self) -> str:
        """APA-like: Authors. (Year). Title. In GenAI Challenges Atlas (version). URL"""
        authors = ", ".join(self.edition.authors)
        return f"{authors}. ({self.edition.year}). {self.title}. In {NAME} (version {self.edition.version}). {self.url}"

    @property
    def meta(self) -> dict[str, object]:
        """Tags that save the page as a report of the atlas: the atlas its one institutional author (a
        name with a trailing comma is one field to Zotero), its version the report's number."""
        return {
            "citation_title": self.title,
            "citation_author": f"{NAME},",
            "citation_technical_report_institution": NAME,
            "citation_technical_report_number": f"Version {self.edition.version}",
            "citation_publication_date": self.edition.date.replace("-", "/"),
            "citation_public_url": self.url,
        }


def page_citation(edition: Edition, key: str, title: str, path: str) -> PageCitation:
    return PageCitation(key, title, edition.site_url + path, edition)


_ARXIV_ABS = "https://arxiv.org/abs/"


def arxiv_id(paper: Paper) -> str | None:
    """The paper's arXiv identifier, from its arXiv link."""
    link = paper.link("arxiv") or ""
    return link.removeprefix(_ARXIV_ABS) if link.startswith(_ARXIV_ABS) else None


def _venue_meta(paper: Paper) -> dict[str, str]:
    """The tags that say what kind of work the paper is (by the table of venues) and where it appeared:
    a conference by its name and year, a journal by its full name, anything unpublished with an arXiv id
    as an arXiv preprint that keeps its id."""
    venue = venue_kind(paper.venue) if paper.venue else None
    kind = venue.kind if venue else None
    if venue and kind in ("conference", "workshop"):
        return {"citation_conference_title": venue.name}
    if venue and kind == "journal":
        return {"citation_journal_title": venue.title} | ({"citation_journal_abbrev": venue.name} if venue.full_name else {})
    if (kind in (None, "preprint")) and (identifier := arxiv_id(paper)):
        return {"DC.type": "preprint", "citation_publisher": "arXiv", "citation_technical_report_number": f"arXiv:{identifier}"}
    return {}


def paper_meta(paper: Paper, title: str) -> dict[str, object]:
    """Highwire tags that describe the paper itself (what Zotero and Google Scholar save from its
    page): only the facts the record holds; a compound family name is written "Family, Given"."""
    meta: dict[str, object] = {"citation_title": title}
    if paper.authors:
        meta["citation_author"] = [inverted_name(name) for name in paper.authors]
    if paper.year:
        meta["citation_publication_date"] = str(paper.year)
    meta.update(_venue_meta(paper))
    if identifier := arxiv_id(paper):
        meta["citation_arxiv_id"] = identifier
        meta["citation_pdf_url"] = f"https://arxiv.org/pdf/{identifier}"
    if doi := paper.link("doi"):
        meta["citation_doi"] = bare_doi(doi)
    if paper.abstract:
        meta["citation_abstract"] = " ".join(plain_prose(paper.abstract).split())
    return meta
