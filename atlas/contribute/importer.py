"""`atlas import`: paper records from the seed lists' two formats.

* daily lists (seeds 002 and 004): a few header lines ending with a date ("Mar 11"), then
  title / abstract pairs separated by blank lines; no authors, venues, years or links;
* the ICLR 2024 OpenReview ratings digest (seed 003): Markdown with rating quantiles, top keywords
  and `### [i / n] Title` sections carrying the link, ratings, keywords and a quoted abstract.

Importing is idempotent: a paper already in `papers/` (as atlas.records.duplicates finds it: the same
OpenReview id or normalised title) only gains the new source; curated fields are never touched. A new
record whose title is nearly another's is created, and the report names the pair for a maintainer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.contribute.transaction import journaled_edit
from atlas.records.bibtex_writer import paper_entry, with_entries_appended
from atlas.records.duplicates import DuplicateFinder
from atlas.records.ids import paper_id_for, slug
from atlas.records.model import PAPER_FIELDS
from atlas.records.yamlio import dump_record, in_field_order, load_yaml_file, write_atomically

DIGEST_VENUE = "ICLR 2024 submission"
_DATE_LINE = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}$")


class ImportFormatError(ValueError):
    """The file is in neither seed format; the message says where it stopped making sense."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class ImportedPaper:
    title: str
    abstract: str
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    gives: list[str] = field(default_factory=list)


@dataclass
class ImportedVenue:
    name: str
    quantiles: list[tuple[str, float]]
    keywords: list[tuple[str, int]]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    venues: list[str] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)  # "new-id: title 95% similar to '...'" (atlas.records.duplicates)


def parse_daily_list(text: str) -> list[ImportedPaper]:
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    start = next((i + 1 for i, (_, line) in enumerate(lines[:12]) if _DATE_LINE.match(line)), None)
    if start is None:
        raise ImportFormatError(1, "no date line (like 'Mar 11') in the first lines of a daily list")
    body = lines[start:]
    if len(body) % 2:
        raise ImportFormatError(body[-1][0], "a title has no abstract paragraph after it")
    papers = []
    for (title_line, title), (_, abstract) in zip(body[::2], body[1::2], strict=False):
        if len(title) > 300:
            raise ImportFormatError(title_line, "expected a title line here, found a paragraph")
        papers.append(ImportedPaper(title=title, abstract=abstract, line=title_line, gives=["title", "abstract"]))
    return papers


def _html_table(section: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", section, flags=re.S)


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def parse_ratings_digest(text: str) -> tuple[list[ImportedPaper], ImportedVenue]:
    """The papers of a ratings digest, one `### [i / n] Title` section each, and the venue's figures."""
    venue = _digest_venue(text)
    papers = []
    heading = re.compile(r"^### \[\d+ / \d+\] (.+)$", re.M)
    matches = list(heading.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        block = text[match.end() : end].split("\n## ", 1)[0]
        papers.append(_digest_paper(match.group(1).strip(), block, text.count("\n", 0, match.start()) + 1))
    if not papers:
        raise ImportFormatError(1, "no '### [i / n] Title' paper sections found")
    return papers, venue


def _digest_venue(text: str) -> ImportedVenue:
    """The venue's rating quantiles and top keywords, from the digest's two tables."""
    parts = re.split(r"^## ", text, flags=re.M)
    quantiles = next((p for p in parts if p.startswith("Rating statistics")), "")
    keywords = next((p for p in parts if p.startswith("Top 50 keywords")), "")
    return ImportedVenue(
        name=DIGEST_VENUE,
        quantiles=[(q.strip(), float(v)) for q, v in _html_table(quantiles)],
        keywords=[(k.strip(), int(v)) for k, v in _html_table(keywords)],
    )


def _digest_paper(title: str, block: str, line: int) -> ImportedPaper:
    """One paper of the digest from its section (`block`, which starts at `line`): link, ratings, keywords, abstract."""
    link = re.search(r"^Link: \[(https?://[^\]]+)\]", block, re.M)
    average = re.search(r"^Average rating: ([\d.]+)", block, re.M)
    scores = re.search(r"^Ratings: \[([^\]]*)\]", block, re.M)
    words = re.search(r"^Keywords: (.*)$", block, re.M)
    quoted = re.search(r"<summary>Abstract</summary>\s*(.*?)</details>", block, re.S)
    if not (link and average and scores and quoted):
        raise ImportFormatError(line, "a paper section lacks its Link, Average rating, Ratings or Abstract")
    abstract_lines = [row.removeprefix(">").strip() for row in quoted.group(1).strip().splitlines()]
    fields: dict[str, Any] = {
        "year": 2024,
        "venue": DIGEST_VENUE,
        "links": {"openreview": link.group(1)},
        "ratings": {
            "average": float(average.group(1)),
            "scores": [_number(s.strip()) for s in scores.group(1).split(",") if s.strip()],
        },
    }
    gives = ["title", "abstract", "year", "venue", "links.openreview", "ratings"]
    keyword_list = [k.strip() for k in words.group(1).split(",") if k.strip()] if words else []
    if keyword_list:
        fields["keywords"] = keyword_list
        gives.append("keywords")
    abstract = "\n".join(abstract_lines).strip()
    return ImportedPaper(title, abstract, line, fields, gives)


def parse_seed(text: str) -> tuple[list[ImportedPaper], ImportedVenue | None]:
    if re.search(r"^Average rating: ", text, re.M):
        return parse_ratings_digest(text)
    return parse_daily_list(text), None


def _existing_records(papers_dir: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Existing records by their path as shown (papers/x.yaml); unreadable records stop the import."""
    records = {}
    for path in sorted(papers_dir.glob("*.yaml")):
        data, problems = load_yaml_file(path, f"papers/{path.name}")
        if problems or not isinstance(data, dict):
            detail = problems[0] if problems else f"papers/{path.name}:1: is not a mapping"
            raise ImportFormatError(0, f"cannot merge into an unreadable record: {detail}")
        records[f"papers/{path.name}"] = (path, dict(data))
    return records


def _links(record: dict[str, Any]) -> dict[str, str]:
    links = record.get("links")
    return {str(kind): str(url) for kind, url in links.items()} if isinstance(links, dict) else {}


def import_seed(root: Path, seed_path: Path) -> ImportReport:
    """Create or extend paper records (and a venue record) from one seed file."""
    text = seed_path.read_text(encoding="utf-8")
    papers, venue = parse_seed(text)
    papers_dir = root / "papers"
    existing = _existing_records(papers_dir)
    finder = DuplicateFinder([])
    for shown, (_, record) in existing.items():
        finder.add(shown, str(record.get("title", "")), _links(record))
    taken = {path.stem for path, _ in existing.values()}
    report = ImportReport()
    writes: dict[Path, dict[str, Any]] = {}
    for paper in papers:
        source = {"seed": seed_path.name, "gives": paper.gives}
        same = finder.find(paper.title, _links(paper.fields), fuzzy=False)
        if same is not None:
            path, record = existing[same.existing]
            sources = list(record.get("sources") or [])
            if any(s.get("seed") == seed_path.name for s in sources if isinstance(s, dict)):
                report.unchanged.append(path.stem)
                continue
            record["sources"] = [*sources, source]
            for name, value in paper.fields.items():
                record.setdefault(name, value)
            writes[path] = record
            report.merged.append(path.stem)
            continue
        similar = finder.find(paper.title, {})
        paper_id = paper_id_for(paper.title, taken)
        taken.add(paper_id)
        if similar is not None:
            report.similar.append(f"{paper_id}: {similar}")
        record = {"title": paper.title, **paper.fields, "abstract": paper.abstract, "sources": [source], "challenges": []}
        path = papers_dir / f"{paper_id}.yaml"
        existing[f"papers/{path.name}"] = (path, record)
        finder.add(f"papers/{path.name}", paper.title, _links(paper.fields))
        writes[path] = record
        report.created.append(paper_id)
    with journaled_edit(root) as edit:
        for path, record in writes.items():
            edit.write(path, dump_record(in_field_order(record, PAPER_FIELDS)))
        if report.created:
            bib_path = root / "citations.bib"
            old = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
            new_entries = [paper_entry(paper_id, writes[papers_dir / f"{paper_id}.yaml"]) for paper_id in report.created]
            edit.write(bib_path, with_entries_appended(old, new_entries))
    if venue:
        venue_path = papers_dir / "venues" / f"{slug(venue.name)}.yaml"
        venue_record = {
            "name": venue.name,
            "description": "Papers submitted to ICLR 2024 as listed by a ratings digest of OpenReview scores.",
            "rating_quantiles": [{"quantile": q, "rating": r} for q, r in venue.quantiles],
            "top_keywords": [{"keyword": k, "count": c} for k, c in venue.keywords],
            "sources": [{"seed": seed_path.name, "gives": ["rating_quantiles", "top_keywords"]}],
        }
        if not venue_path.exists():
            write_atomically(venue_path, dump_record(venue_record))
            report.venues.append(venue_path.stem)
    return report
