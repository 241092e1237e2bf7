"""What kind of venue each paper's `venue` names: the one table the .bib entries, meta tags and COinS read.

A record's venue is a series, often with its year and the paper's presentation: "ICLR 2024
(spotlight)" is the series "ICLR", 2024, presented as a spotlight. The series is looked up here;
tests/test_citing.py fails for a record whose series is missing (add a line below). A full name is
given where records use an abbreviation (a source may give either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

KINDS = ("conference", "workshop", "journal", "preprint")
PRESENTATIONS = ("oral", "spotlight", "poster")

# series -> (kind, full name or "" where the series is the name)
SERIES: dict[str, tuple[str, str]] = {
    "AAAI": ("conference", ""),
    "ACL": ("conference", ""),
    "ACM CCS": ("conference", ""),
    "ACM Computing Surveys": ("journal", ""),
    "ACM TOIS": ("journal", "ACM Transactions on Information Systems"),
    "ACM Transactions on Graphics": ("journal", ""),
    "AISTATS": ("conference", "International Conference on Artificial Intelligence and Statistics"),
    "Bell System Technical Journal": ("journal", ""),
    "CBMS": ("conference", ""),
    "CHIL": ("conference", ""),
    "CIKM": ("conference", ""),
    "CLeaR": ("conference", ""),
    "COLM": ("conference", ""),
    "CVPR": ("conference", "IEEE/CVF Conference on Computer Vision and Pattern Recognition"),
    "CVPRW": ("workshop", ""),
    "Chemical Science": ("journal", ""),
    "CoRL": ("conference", ""),
    "DFF Workshop at ACM MM": ("workshop", ""),
    "DGM4MICCAI": ("workshop", ""),
    "ECAI": ("conference", ""),
    "ECCV": ("conference", "European Conference on Computer Vision"),
    "EMNLP": ("conference", ""),
    "EMNLP-IJCNLP": ("conference", ""),
    "Entropy": ("journal", ""),
    "Findings of ACL": ("conference", ""),
    "Findings of EMNLP": ("conference", ""),
    "Foundations and Trends in Computer Graphics and Vision": ("journal", ""),
    "Harvard Journal of Law & Technology": ("journal", ""),
    "ICCV": ("conference", "IEEE/CVF International Conference on Computer Vision"),
    "ICLR": ("conference", "International Conference on Learning Representations"),
    "ICLR Workshop on Trustworthy and Reliable Large-Scale Machine Learning Models": ("workshop", ""),
    "ICLR submission": ("preprint", ""),
    "ICML": ("conference", "International Conference on Machine Learning"),
    "IEEE BigMM": ("conference", ""),
    "IEEE TPAMI": ("journal", "IEEE Transactions on Pattern Analysis and Machine Intelligence"),
    "IEEE Transactions on Knowledge and Data Engineering": ("journal", ""),
    "IEEE Transactions on Neural Networks and Learning Systems": ("journal", ""),
    "IJCAI": ("conference", ""),
    "IUI": ("conference", ""),
    "InfoMat": ("journal", ""),
    "JMLR": ("journal", "Journal of Machine Learning Research"),
    "Journal of Cheminformatics": ("journal", ""),
    "MICCAI": ("conference", ""),
    "MIDL": ("conference", ""),
    "ML4H": ("conference", ""),
    "MLHC": ("conference", ""),
    "MLSys": ("conference", ""),
    "Machine Intelligence Research": ("journal", ""),
    "NAACL": ("conference", ""),
    "Nature": ("journal", ""),
    "NeurIPS": ("conference", "Advances in Neural Information Processing Systems"),
    "NeurIPS Datasets and Benchmarks Track": ("conference", ""),
    "Neural Computation": ("journal", ""),
    "PLDI": ("conference", ""),
    "POPL": ("conference", ""),
    "RSS": ("conference", ""),
    "SIGIR": ("conference", ""),
    "SOSP": ("conference", ""),
    "STOC": ("conference", ""),
    "TACL": ("journal", "Transactions of the Association for Computational Linguistics"),
    "TMLR": ("journal", "Transactions on Machine Learning Research"),
    "Text Summarization Branches Out (ACL Workshop)": ("workshop", ""),
    "The VLDB Journal": ("journal", ""),
    "UAI": ("conference", "Conference on Uncertainty in Artificial Intelligence"),
    "USENIX Security": ("conference", ""),
    "WACV": ("conference", ""),
}

_BY_FULL_NAME: dict[str, tuple[str | None, str]] = {
    full.lower(): (kind, full) for kind, full in SERIES.values() if full
}  # a source may give the full name
_PRESENTATION = re.compile(r"^(.*?)\s*\((" + "|".join(PRESENTATIONS) + r")\)$", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class VenueKind:
    """A record's venue read with the table: its name without the presentation ("ICLR 2024"), the
    presentation ("spotlight"), the series, its kind (None where the table lacks it) and full name."""

    name: str
    presentation: str | None
    series: str
    kind: str | None
    full_name: str

    @property
    def title(self) -> str:
        """What a reference manager files it under: the journal's full name, the conference with its year."""
        return self.full_name or self.name


@lru_cache(maxsize=1024)
def venue_kind(venue: str) -> VenueKind:
    match = _PRESENTATION.match(venue)
    name, presentation = (match.group(1), match.group(2)) if match else (venue, None)
    series = " ".join(_YEAR.sub(" ", name).split())
    kind, full_name = SERIES.get(series) or _BY_FULL_NAME.get(series.lower(), (None, ""))
    return VenueKind(name, presentation, series, kind, full_name)
