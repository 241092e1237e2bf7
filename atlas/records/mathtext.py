"""Titles with `$...$` math: MathML for pages, plain Unicode for everything that is only text.

A title's math is converted at build time by latex2mathml (Chromium and Firefox draw MathML
natively, so no script runs); text outside it is escaped. Metadata, feeds, sort keys and ids use
the plain form (pylatexenc's LaTeX-to-Unicode: `$\\infty$` is "∞", `$K^2$` is "K²").
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from atlas.records.ids import normalise_title

_MATH = re.compile(r"(\$[^$]+\$)")
_SUPERSCRIPTS = str.maketrans("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
# What MathML that latex2mathml writes may carry; anything else (a link, a style, an event) is refused.
_UNSAFE = re.compile(r"\s(?:href|src|style|on\w+|xlink:\w+|class|id)\s*=", re.I)


@lru_cache(maxsize=1)
def _to_text():  # -> LatexNodes2Text; imported on first use: most titles have no math
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text")


def has_math(title: str) -> bool:
    return "$" in title and _MATH.search(title) is not None


@lru_cache(maxsize=4096)
def _math_text(latex: str) -> str:
    try:
        text = _to_text().latex_to_text(latex)
    except Exception:  # pylatexenc raises many kinds on odd input; the bare source is the honest fallback
        return latex
    text = re.sub(r"\^\{?([0-9+\-n]+)\}?", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return re.sub(r"_\{?([0-9+\-]+)\}?", lambda m: m.group(1).translate(_SUBSCRIPTS), text)


def plain_title(title: str) -> str:
    """The title as plain Unicode text: each `$...$` part converted, the rest as written."""
    if not has_math(title):
        return title
    parts = _MATH.split(title)
    return " ".join("".join(_math_text(p[1:-1]) if p.startswith("$") and p.endswith("$") else p for p in parts).split())


@lru_cache(maxsize=4096)
def _mathml(latex: str) -> Markup | None:
    from latex2mathml.converter import convert  # imported on first use: most titles have no math

    try:
        markup = convert(latex)
    except Exception:  # latex2mathml raises many kinds on LaTeX it does not know
        return None
    if _UNSAFE.search(markup):
        return None
    if markup.count("<mo") == 1 and re.search(r"<mrow><mo>[^<]*</mo></mrow>", markup):  # a lone symbol (∞) is a letter, not an operator
        markup = markup.replace("<mo>", '<mo lspace="0" rspace="0">')
    return Markup(markup)


def title_html(title: str) -> Markup:
    """The title as HTML: text escaped, each `$...$` part as MathML (or its plain text where it will not convert)."""
    if not has_math(title):
        return escape(title)
    html = []
    for part in _MATH.split(title):
        if part.startswith("$") and part.endswith("$") and len(part) > 2:
            mathml = _mathml(part[1:-1])
            html.append(Markup('<span class="atlas-math" title="{}">{}</span>').format(part, mathml or _math_text(part[1:-1])))
        else:
            html.append(escape(part))
    return Markup("").join(html)


def title_sort_key(title: str) -> str:
    """How titles sort: by their words, whatever markup or case they carry."""
    return normalise_title(plain_title(title))
