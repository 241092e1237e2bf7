"""Synthetic atlases grown from the real records, for the tests at scale and the benchmarks.

`make_atlas(target, papers)` copies the real challenges and bibliography and writes `papers` paper
records: each reuses a real record's abstract (so texts have real lengths and vocabulary) under a
new id and title, with a year, a venue and 1-3 challenge links drawn from a seeded generator, so the
same size always gives the same atlas. With `shuffled`, the texts are grown another way, so that what
is measured does not hold only for one kind of text: each title is nine words drawn at random from
the real records' vocabulary, and each abstract a real one with its words in a random order.
`committed`: the atlas is a git repository with every record committed, as a clone of main holds it.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from atlas.pipeline import valid_atlas
from atlas.records.bibtex_writer import paper_entry
from atlas.records.facts import facts_held
from atlas.records.model import Atlas, Paper
from atlas.records.yamlio import dump_record

REPO = Path(__file__).resolve().parents[1]
VENUES = ("ICLR 2024 submission", "NeurIPS 2023", "ICML 2024", "arXiv preprint", "TMLR")
KINDS = ("method", "benchmark", "analysis", "theory", "survey")
TITLE_WORDS = 9  # a shuffled atlas' titles: as many words drawn from the vocabulary
DATA = ("challenges", "papers", "citations.bib", "mkdocs.yml", "docs")  # what `atlas` reads of a checkout
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")
Texts = Callable[[Paper, int], tuple[str, str | None]]  # a paper's title and abstract, from its source and index


def copy_atlas(target: Path) -> Path:
    """A copy of the real atlas' data (records, bibliography, site configuration) at `target`."""
    for name in DATA:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def make_atlas(
    target: Path, papers: int, seed: int = 7, sources_used: int | None = None, shuffled: bool = False, committed: bool = False
) -> Path:
    real = valid_atlas(REPO)
    if target.exists():
        shutil.rmtree(target)
    (target / "papers").mkdir(parents=True)
    for name in ("challenges", "docs"):
        shutil.copytree(REPO / name, target / name)
    for challenge in (target / "challenges").glob("*.yaml"):  # the handouts' choices name real papers, absent here
        challenge.write_text(re.sub(r"^  start_here: .*\n", "", challenge.read_text(), flags=re.M))
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(REPO / "papers" / "venues", target / "papers" / "venues")
    targets = [c.id for c in real.challenges.values()] + [f"{c.id}/{s.id}" for c in real.challenges.values() for s in c.subchallenges]
    sources = list(real.papers.values())[:sources_used]  # fewer sources: more copies of each abstract
    generator = random.Random(seed)
    survey_entries, paper_entries = (REPO / "citations.bib").read_text(encoding="utf-8").split("% One entry per paper record")
    identified = [part for part in re.split(r"\n(?=@)", paper_entries) if "surveyref = {" in part]  # the challenges cite them
    entries = [survey_entries, *identified]
    texts = shuffled_texts(real, random.Random(seed)) if shuffled else variant_texts
    for index in range(papers):
        source = sources[index % len(sources)]
        paper_id = f"synthetic-{index:05d}"
        links = generator.sample(targets, generator.choice((1, 1, 2, 2, 3)))
        outside = index % 10 == 9  # as in the real atlas, about one paper in ten fits none of the challenges
        title, abstract = texts(source, index)
        record = {
            "title": title,
            "year": generator.randint(2015, 2026),
            "venue": generator.choice(VENUES),
            "abstract": abstract,
            "sources": [{"contributor": "tests/synthetic.py", "gives": []}],
            "challenges": [] if outside else [synthetic_link(link, index, source.id, real, generator) for link in links],
        }
        if outside:
            record["fits_none"] = f"Synthetic paper {index} outside the challenges, for scale benchmarks."
        if source.ratings:
            record["ratings"] = {"average": source.ratings.average, "scores": list(source.ratings.scores)}
        record = {key: value for key, value in record.items() if value is not None}  # a source without an abstract
        record["sources"][0]["gives"] = list(facts_held(record))
        (target / "papers" / f"{paper_id}.yaml").write_text(dump_record(record), encoding="utf-8")
        entries.append(paper_entry(paper_id, record))
    (target / "citations.bib").write_text("\n".join(entries), encoding="utf-8")
    if committed:
        commit(target)
    return target


def variant_texts(source: Paper, index: int) -> tuple[str, str | None]:
    """The source's title, marked as the `index`-th variant, and its abstract as it is."""
    return f"{source.title} (synthetic variant {index})", source.abstract


def shuffled_texts(real: Atlas, generator: random.Random) -> Texts:
    """Titles of TITLE_WORDS words drawn at random from the words of `real`'s titles and abstracts (each
    distinct word as likely as any other), abstracts the source's words in a random order."""
    vocabulary = sorted({word for paper in real.papers.values() for word in _WORD.findall(f"{paper.title} {paper.abstract or ''}")})

    def texts(source: Paper, index: int) -> tuple[str, str | None]:
        title = " ".join(generator.choice(vocabulary) for _ in range(TITLE_WORDS)).capitalize()
        if source.abstract is None:
            return title, None
        abstract = source.abstract.split()
        generator.shuffle(abstract)
        return title, " ".join(abstract)

    return texts


def commit(root: Path) -> None:
    """Make `root` a git repository holding all its files in one commit."""
    author = ["-c", "user.name=Synthetic atlas", "-c", "user.email=synthetic@example.invalid", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q"], ["add", "-A"], [*author, "commit", "-q", "-m", "A synthetic atlas"]):
        subprocess.run(["git", *command], cwd=root, check=True, timeout=600)


def synthetic_link(target: str, index: int, source_id: str, real, generator: random.Random) -> dict[str, object]:
    """A link to `target`; one in five also names one of its challenge's open questions, as real links do."""
    link: dict[str, object] = {
        "id": target,
        "kind": generator.choice(KINDS),
        "why": f"Synthetic link {index} for scale benchmarks, reusing the abstract of {source_id}.",
    }
    questions = real.challenges[target.split("/")[0]].open_questions
    if questions and generator.random() < 0.2:
        link["questions"] = [generator.choice(questions).id]
    return link
