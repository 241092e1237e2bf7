"""The atlas' data model: frozen records that remember the file and line they came from."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pybtex.database import Entry

CHALLENGE_KINDS = ("method", "benchmark", "analysis", "theory", "survey")
RELEVANCE = ("core", "peripheral")  # how closely a paper bears on a challenge it links to
PERIPHERAL_WEIGHT = 0.5  # a peripheral link counts half a core one in counts, suggestions and the graph
LINK_NAMES = ("openreview", "arxiv", "doi", "url", "code")
GRAPH_FORMATS = ("json", "graphml", "gexf", "dot")  # what `atlas graph --format` writes (atlas.export)
API_NAMES = {"arxiv": "arXiv", "crossref": "Crossref", "openreview": "OpenReview"}
# The fields of each record kind, in the order records are written in (see yamlio.in_field_order).
PAPER_FIELDS = (
    "title", "also_titled", "authors", "year", "venue", "abstract", "links", "keywords", "ratings", "sources", "challenges", "fits_none",
    "aliases", "not_duplicate_of",
)  # fmt: skip
LINK_FIELDS = ("id", "kind", "relevance", "questions", "why")
QUESTION_FIELDS = ("id", "text", "subchallenge", "references", "aliases", "status", "searched")
QUESTION_STATUSES = ("open",)  # searched, and no paper found that takes it up
SUBCHALLENGE_FIELDS = ("id", "title", "summary", "start_here", "aliases", "atlas_addition", "thin_literature")
CHALLENGE_FIELDS = (
    "title", "section", "maintainers", "reviewed", "summary", "open_questions", "subchallenges", "references", "related", "aliases",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, pointing at the place to fix it."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.path}:{self.line}: {label}{self.message}"


@dataclass(frozen=True)
class SubChallenge:
    id: str
    title: str
    summary: str
    line: int = 0
    aliases: tuple[str, ...] = ()  # former ids: their anchors on the challenge page still lead here
    start_here: tuple[str, ...] = ()  # paper ids the maintainers put first in the reading handout
    atlas_addition: str | None = None  # why the atlas adds it, where the survey does not name it
    thin_literature: str | None = None  # where its literature is genuinely thin, a line that says so


@dataclass(frozen=True)
class Question:
    """An open question the survey raises, in the atlas' words, with a stable id (its anchor)."""

    id: str
    text: str
    sub: str | None = None  # the sub-challenge it belongs to, where one fits
    references: tuple[int, ...] = ()  # the survey's citation numbers behind it
    line: int = 0
    aliases: tuple[str, ...] = ()  # former ids, kept as anchors
    status: str | None = None  # "open": searched, and no paper takes it up
    searched: str | None = None  # when and where it was searched (a dated note)


@dataclass(frozen=True)
class SurveyReference:
    """A citation number of the survey; `key` is set where citations.bib holds the entry."""

    number: int
    key: str | None = None
    named: str | None = None
    line: int = 0


@dataclass(frozen=True)
class RelatedChallenge:
    id: str
    reason: str
    line: int = 0


@dataclass(frozen=True)
class Challenge:
    id: str
    title: str
    section: str
    summary: str
    open_questions: tuple[Question, ...]
    subchallenges: tuple[SubChallenge, ...]
    references: tuple[SurveyReference, ...]
    related: tuple[RelatedChallenge, ...]
    path: str = ""
    line: int = 1
    maintainers: tuple[str, ...] = ()
    reviewed: str | None = None  # ISO date of the last review
    aliases: tuple[str, ...] = ()  # former ids whose addresses redirect here

    def subchallenge(self, sub_id: str) -> SubChallenge | None:
        return next((sub for sub in self.subchallenges if sub.id == sub_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((question for question in self.open_questions if question.id == question_id), None)


@dataclass(frozen=True)
class ChallengeLink:
    """A paper's claim to address a challenge (or one of its sub-challenges), with the reason."""

    challenge: str
    sub: str | None
    kind: str
    why: str
    line: int = 0
    questions: tuple[str, ...] = ()  # ids of the challenge's open questions the paper addresses
    relevance: str = "core"  # or "peripheral": it touches the challenge only in passing
    questions_line: int = 0

    @property
    def target(self) -> str:
        return f"{self.challenge}/{self.sub}" if self.sub else self.challenge

    @property
    def peripheral(self) -> bool:
        return self.relevance == "peripheral"

    @property
    def weight(self) -> float:
        """What the link counts for in counts, suggestions and the graph."""
        return PERIPHERAL_WEIGHT if self.peripheral else 1.0


@dataclass(frozen=True)
class Ratings:
    average: float | None
    scores: tuple[float, ...]


# The lists the atlas started from (../shared/seeds), named for readers by what each document is.
SEED_LISTS = {
    "001_1caecd938c7f36fd.txt": "the survey's text (arXiv:2403.00025)",
    "002_ef4f84fe810f0cf8.txt": "a public list of 62 papers related to the survey (dated 11 March)",
    "003_c4f18b15438aef26.txt": "a public digest of ICLR 2024's OpenReview ratings",
    "004_c83e209705938496.txt": ("a public list of 54 papers on generative and discriminative modelling (dated 18 September)"),
}


@dataclass(frozen=True)
class Source:
    """Where a record's facts came from: a seed file of ../shared/seeds, a contributor, a public
    API (arxiv, crossref, openreview) looked up at `url`, or a public document at `url` alone,
    with `via` saying how it was read (e.g. the citations that gave its facts)."""

    seed: str | None
    contributor: str | None
    gives: tuple[str, ...]
    api: str | None = None
    url: str | None = None
    via: str | None = None

    @property
    def label(self) -> str:
        if self.seed:
            return SEED_LISTS.get(self.seed, f"the seed list {self.seed}")
        if self.api:
            return f"the {API_NAMES.get(self.api, self.api)} API"
        if self.contributor:
            return f"contributor {self.contributor}"
        return f"the public record {self.url}"


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str | None
    abstract: str | None
    links: tuple[tuple[str, str], ...]
    keywords: tuple[str, ...]
    ratings: Ratings | None
    sources: tuple[Source, ...]
    challenges: tuple[ChallengeLink, ...]
    path: str = ""
    line: int = 1
    aliases: tuple[str, ...] = ()  # former ids whose addresses redirect here
    not_duplicate_of: tuple[str, ...] = ()  # records with a near title that are other papers
    fits_none: str | None = None  # why it links to none of the survey's challenges (then it links to none)
    also_titled: tuple[str, ...] = ()  # other titles it went by (a submission's, a preprint's), as sources give them

    def link(self, name: str) -> str | None:
        return dict(self.links).get(name)

    def sources_of(self, fact: str) -> tuple[Source, ...]:
        """The sources that give `fact` (e.g. "abstract", "links.arxiv")."""
        return tuple(source for source in self.sources if fact in source.gives)

    @cached_property
    def challenge_ids(self) -> tuple[str, ...]:
        """The challenges it addresses (through any sub-challenge), each once, in the record's order."""
        return tuple(dict.fromkeys(link.challenge for link in self.challenges))

    @cached_property
    def core_challenge_ids(self) -> tuple[str, ...]:
        """The challenges it addresses at its core (not only in passing): what counts count."""
        return tuple(dict.fromkeys(link.challenge for link in self.challenges if not link.peripheral))

    @cached_property
    def peripheral_challenge_ids(self) -> tuple[str, ...]:
        """The challenges it only touches: every link to them is peripheral."""
        return tuple(challenge for challenge in self.challenge_ids if challenge not in self.core_challenge_ids)

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of its contributions, each once, in the record's order."""
        return tuple(dict.fromkeys(link.kind for link in self.challenges))


@dataclass(frozen=True)
class BibEntry:
    """One citations.bib entry; `fields` hold the raw BibTeX values, `persons` the parsed names."""

    key: str
    type: str
    fields: tuple[tuple[str, str], ...]
    persons: tuple[tuple[str, tuple[str, ...]], ...]
    line: int
    source: Entry = field(compare=False, repr=False)  # pybtex's entry: what the .bib writers format

    def get(self, name: str) -> str | None:
        return self._fields_by_name.get(name)

    @cached_property
    def _fields_by_name(self) -> dict[str, str]:
        """`fields` as a dict, built once: validation and rendering look fields up by name often."""
        return dict(self.fields)

    @property
    def surveyref(self) -> int | None:
        value = self.get("surveyref")
        return int(value) if value and value.strip().isdigit() else None

    @property
    def identification(self) -> str | None:
        """Where the survey's text names this work by its number, when the survey does not give it in full."""
        value = self.get("surveyidentified")
        return re.sub(r"\\([&%#_$])", r"\1", value) if value else None  # as citations.bib escapes it for LaTeX

    @property
    def first_author_surname(self) -> str | None:
        """The first author's surname with its particle ("von Kügelgen"), as BibTeX styles sort by it."""
        people = self.source.persons.get("author")
        if not people:
            return None
        return " ".join([*people[0].prelast_names, *people[0].last_names]) or None


@dataclass(frozen=True)
class Venue:
    """Facts about one venue that a source reports (e.g. the ICLR 2024 ratings digest)."""

    id: str
    name: str
    description: str
    rating_quantiles: tuple[tuple[str, float], ...]
    top_keywords: tuple[tuple[str, int], ...]
    sources: tuple[Source, ...]
    path: str = ""


Related = dict[str, list[tuple[str, float]]]  # paper id -> (other paper id, similarity), nearest first


@dataclass(frozen=True)
class Atlas:
    """Everything the site is built from, validated and cross-checked."""

    root: Path
    challenges: dict[str, Challenge]
    papers: dict[str, Paper]
    bibliography: dict[str, BibEntry]
    venues: dict[str, Venue]

    def papers_for(self, challenge_id: str) -> list[tuple[Paper, ChallengeLink]]:
        """Each (paper, link) to the challenge or one of its sub-challenges, in the order of the papers."""
        return list(self._links_by_challenge.get(challenge_id, ()))

    @cached_property
    def _links_by_challenge(self) -> dict[str, list[tuple[Paper, ChallengeLink]]]:
        """Every paper's links grouped once: pages ask for each challenge's papers again and again."""
        grouped: dict[str, list[tuple[Paper, ChallengeLink]]] = {}
        for paper in self.papers.values():
            for link in paper.challenges:
                grouped.setdefault(link.challenge, []).append((paper, link))
        return grouped

    def addressing(self, challenge_id: str, question_id: str) -> list[tuple[Paper, ChallengeLink]]:
        """Each (paper, link) whose link to the challenge names this open question, core links first."""
        return list(self._links_by_question.get((challenge_id, question_id), ()))

    @cached_property
    def _links_by_question(self) -> dict[tuple[str, str], list[tuple[Paper, ChallengeLink]]]:
        """`_links_by_challenge` cut by the questions the links name."""
        grouped: dict[tuple[str, str], list[tuple[Paper, ChallengeLink]]] = {}
        for challenge_id, pairs in self._links_by_challenge.items():
            for paper, link in pairs:
                for question_id in link.questions:
                    grouped.setdefault((challenge_id, question_id), []).append((paper, link))
        for pairs in grouped.values():
            pairs.sort(key=lambda pair: pair[1].peripheral)
        return grouped

    @cached_property
    def papers_per_challenge(self) -> Counter[str]:
        """How many papers address each challenge at their core, through any of its sub-challenges."""
        return Counter(challenge for paper in self.papers.values() for challenge in paper.core_challenge_ids)

    @cached_property
    def passing_papers_per_challenge(self) -> Counter[str]:
        """How many papers touch each challenge only in passing (every link to it peripheral)."""
        return Counter(challenge for paper in self.papers.values() for challenge in paper.peripheral_challenge_ids)

    @cached_property
    def papers_per_target(self) -> Counter[str]:
        """How many papers address each sub-challenge ("challenge/sub"), or a challenge as a whole, at their core."""
        return Counter(
            target
            for paper in self.papers.values()
            for target in dict.fromkeys(link.target for link in paper.challenges if not link.peripheral)
        )

    @cached_property
    def challenge_pairs(self) -> Counter[tuple[str, str]]:
        """For each pair of challenges (in id order), how many papers address both at their core."""
        return Counter(pair for paper in self.papers.values() for pair in combinations(sorted(paper.core_challenge_ids), 2))

    def bridging_papers(self, at_least: int = 3) -> list[str]:
        """The ids of the papers that address `at_least` challenges at their core, most bridging first."""
        bridging = [paper for paper in self.papers.values() if len(paper.core_challenge_ids) >= at_least]
        return [paper.id for paper in sorted(bridging, key=lambda paper: (-len(paper.core_challenge_ids), paper.id))]

    @cached_property
    def outside(self) -> list[Paper]:
        """The papers that fit none of the survey's challenges (`fits_none`)."""
        return [paper for paper in self.papers.values() if not paper.challenges]

    def entry_for_number(self) -> dict[int, BibEntry]:
        return {e.surveyref: e for e in self.bibliography.values() if e.surveyref is not None}
