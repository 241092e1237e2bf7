"""Which part of an author's name is the family name: one answer for the meta tags, the .bib files and COinS.

Records write names as people write them ("Valentin De Bortoli", "Fernando De la Torre"). A
reference manager that splits at the last space files them under "Bortoli" and "Torre"; so a
particle ("de", "van den", "De", "Le") just before the last word joins the family name. A
lower-case particle starts the family name wherever it stands, as BibTeX reads it ("Henrique Ponde
de Oliveira Pinto"); a capitalised one joins only the words right after it, and never when the last
word is itself a particle: "Thanh Van Le" is Le, with Van a given name.
"""

from __future__ import annotations

from functools import lru_cache

LOWER_CASE_PARTICLES = frozenset(
    [
        "da",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "las",
        "le",
        "los",
        "ten",
        "ter",
        "van",
        "von",
        "zu",
    ]
)
CAPITALISED_PARTICLES = frozenset(
    ["Da", "De", "Del", "Della", "Den", "Der", "Des", "Di", "Dos", "Du", "El", "La", "Le", "Ten", "Ter", "Van", "Von"]
)


@lru_cache(maxsize=1 << 14)
def family_and_given(name: str) -> tuple[str, str]:
    """(family name, given names) of a name as a record writes it; "Family, Given" is taken as it stands."""
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    start = next((i for i in range(1, len(words) - 1) if words[i] in LOWER_CASE_PARTICLES), len(words) - 1)
    if words[-1] not in CAPITALISED_PARTICLES:
        while start > 1 and words[start - 1] in CAPITALISED_PARTICLES:
            start -= 1
    return " ".join(words[start:]), " ".join(words[:start])


def inverted_name(name: str) -> str:
    """The name as "Family, Given" where the family name has several words, else as written: what
    BibTeX, Highwire tags and Zotero read without splitting a compound family name."""
    family, given = family_and_given(name)
    return f"{family}, {given}" if " " in family and given else name
