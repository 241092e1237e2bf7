"""Titles with `$...$` math: MathML for pages, plain Unicode for everything that is only text.

A title's math is converted at build time by latex2mathml (Chromium and Firefox draw MathML
natively, so no script runs); text outside it is escaped. Metadata, feeds, sort keys and ids use
the plain form (pylatexenc's LaTeX-to-Unicode: `$\\infty$` is "∞", `$K^2$` is "K²").
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from atlas.records.ids import normalise_title

_MATH = re.compile(r"(\$[^$]+\$)")
_SUPERSCRIPTS = str.maketrans("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


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


_PAREN_MATH = re.compile(r"\\\((.+?)\\\)", re.S)  # \(x\), LaTeX's other inline math
_PROSE_MARKUP = re.compile(r"\\[a-zA-Z]+|\\[%&#_{}\"'`^~]|``|''")
_SIZE_COMMANDS = re.compile(r"\\(?:tiny|scriptsize|footnotesize|small|normalsize|large|Large|it|bf|rm|tt|sc|em)\b\s*")
_URL_COMMAND = re.compile(r"\\url\{\s*([^{}]*?)\s*\}")
_COMMAND = re.compile(r"\\([a-zA-Z]+)(\{\})?")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


@lru_cache(maxsize=1)
def _known_macros():  # -> LatexContextDb: the text macros pylatexenc knows
    from pylatexenc.latex2text import get_default_latex_context_db

    return get_default_latex_context_db()


@lru_cache(maxsize=8192)  # each abstract is asked for by validation, its page, its meta tags and the feeds: decoded once
def _prose_text(text: str) -> str:
    """Text outside math as plain Unicode: quotes, accents, \\emph{...} and escapes decoded; a macro
    pylatexenc does not know (an author's \\algo) as its name. Text without LaTeX stays as written."""
    if not _PROSE_MARKUP.search(text):
        return text
    known = _known_macros()
    text = _URL_COMMAND.sub(r"\1", _SIZE_COMMANDS.sub("", text))
    text = _COMMAND.sub(lambda m: m.group(0) if known.get_macro_spec(m.group(1)) is not None else m.group(1), text)
    text = _UNESCAPED_PERCENT.sub(r"\\%", text).replace("~", "\ue000")  # a bare % is a percent, ~ as typed
    try:
        return _to_text().latex_to_text(text).replace("\ue000", "~")
    except Exception:  # pylatexenc raises many kinds on odd input; the text as written is the honest fallback
        return text.replace("\ue000", "~")


def _prose_parts(text: str) -> list[str]:
    """The text cut into math parts (`$...$`, \\(...\\) written as $...$) and the prose between."""
    return _MATH.split(_PAREN_MATH.sub(lambda m: f"${m.group(1)}$", text) if "\\(" in text else text)


def _is_math(part: str) -> bool:
    return part.startswith("$") and part.endswith("$") and len(part) > 2


def plain_prose(text: str) -> str:
    """Prose such as an abstract as plain Unicode: its math as in plain_title, its LaTeX markup decoded; paragraphs kept."""
    return "".join(_math_text(part[1:-1]) if _is_math(part) else _prose_text(part) for part in _prose_parts(text))


def has_markup(text: str) -> bool:
    """Whether prose holds LaTeX that prose_html typesets: math, or markup outside it (a command, an
    escape, TeX quotes)."""
    return any(_is_math(part) or _PROSE_MARKUP.search(part) for part in _prose_parts(text))


def prose_html(text: str) -> Markup:
    """Prose as HTML: its math as MathML (as in title_html), the rest decoded from LaTeX and escaped."""
    html = []
    for part in _prose_parts(text):
        if _is_math(part):
            mathml = _mathml(part[1:-1])
            html.append(Markup('<span class="atlas-math" title="{}">{}</span>').format(part, mathml or _math_text(part[1:-1])))
        else:
            html.append(escape(_prose_text(part)))
    return Markup("").join(html)


def plain_title(title: str) -> str:
    """The title as plain Unicode text: each `$...$` part converted, the rest as written."""
    if not has_math(title):
        return title
    parts = _MATH.split(title)
    return " ".join("".join(_math_text(p[1:-1]) if p.startswith("$") and p.endswith("$") else p for p in parts).split())


# The MathML a page may carry: latex2mathml's element tree is rebuilt from these elements and
# attributes only, every text node escaped, so no LaTeX (`\\text{<script>}`, `\\href`) reaches a page as markup.
MATHML_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mstyle",
        "mtable",
        "mtr",
        "mtd",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
    ]
)
MATHML_ATTRIBUTES = frozenset(
    [
        "display",
        "displaystyle",
        "scriptlevel",
        "mathvariant",
        "stretchy",
        "fence",
        "form",
        "accent",
        "accentunder",
        "lspace",
        "rspace",
        "separator",
        "linethickness",
        "width",
        "height",
        "depth",
        "columnalign",
        "rowspacing",
        "columnspacing",
        "mathsize",
        "minsize",
        "maxsize",
        "largeop",
        "movablelimits",
        "symmetric",
        "notation",
    ]
)
_ATTRIBUTE_VALUE = re.compile(r"^[\w.%# +-]{0,40}$")
MAX_MATHML_CHARACTERS = 5000  # a title's rendered math; real titles make a few hundred
# TeX that defines or redefines macros: a few hundred characters of it can expand without bound.
MACRO_DEFINITION = re.compile(
    r"\\(?:[egx]?def|let|futurelet|(?:re)?newcommand|providecommand|DeclareMathOperator|(?:re)?newenvironment|"
    r"expandafter|csname|catcode|edef|input|include)(?![a-zA-Z])"
)

# A MathML node: (element, attributes, children), each child a node or a text.
MathNode = tuple[str, tuple[tuple[str, str], ...], tuple["MathNode | str", ...]]


def _node(element) -> MathNode | None:  # element: xml.etree.ElementTree.Element
    """The element rebuilt from the allow-lists, or None when it holds an element they do not name."""
    if element.tag not in MATHML_ELEMENTS:
        return None
    attributes = tuple((name, value) for name, value in element.attrib.items() if name != "xmlns")
    if not all(name in MATHML_ATTRIBUTES and _ATTRIBUTE_VALUE.match(value) for name, value in attributes):
        return None  # a link, a colour, a style: the formula is shown as its text instead
    children: list[MathNode | str] = [html.unescape(element.text)] if element.text else []
    for child in element:
        built = _node(child)
        if built is None:
            return None
        children.append(built)
        if child.tail:
            children.append(html.unescape(child.tail))
    return element.tag, attributes, tuple(children)


@lru_cache(maxsize=4096)
def math_tree(latex: str) -> MathNode | None:
    """The MathML of one `$...$` part as a tree of allowed elements, or None where it will not convert,
    defines macros, holds anything outside the allow-lists or grows past MAX_MATHML_CHARACTERS."""
    tree = _unbounded_tree(latex)
    return tree if tree is not None and len(serialise(tree)) <= MAX_MATHML_CHARACTERS else None


@lru_cache(maxsize=256)
def _unbounded_tree(latex: str) -> MathNode | None:
    if MACRO_DEFINITION.search(latex):
        return None
    from latex2mathml.converter import convert_to_element  # imported on first use: most titles have no math

    try:
        return _node(convert_to_element(latex))
    except Exception:  # latex2mathml raises many kinds on LaTeX it does not know
        return None


def serialise(node: MathNode | str) -> Markup:
    """A tree as MathML markup: texts escaped, attribute values escaped."""
    if isinstance(node, str):
        return escape(node)
    element, attributes, children = node
    opening = Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in attributes)
    if element == "math":
        opening = Markup(' xmlns="http://www.w3.org/1998/Math/MathML"') + opening
    inner = Markup("").join(serialise(child) for child in children)
    return Markup("<{}{}>{}</{}>").format(Markup(element), opening, inner, Markup(element))


@lru_cache(maxsize=4096)
def _mathml(latex: str) -> Markup | None:
    tree = math_tree(latex)
    if tree is None:
        return None
    markup = str(serialise(tree))
    if markup.count("<mo") == 1 and re.search(r"<mrow><mo>[^<]*</mo></mrow>", markup):  # a lone symbol (∞) is a letter, not an operator
        markup = markup.replace("<mo>", '<mo lspace="0" rspace="0">')
    return Markup(markup)


def math_problem(title: str) -> str | None:
    """Why a title's math cannot be published, or None: macro definitions, or MathML past the bound."""
    if not has_math(title):
        return None
    for part in _MATH.findall(title):
        latex = part[1:-1]
        if definition := MACRO_DEFINITION.search(latex):
            return f"its math defines a macro ({definition.group()}); write the formula out"
        tree = _unbounded_tree(latex)
        if tree is not None and (size := len(serialise(tree))) > MAX_MATHML_CHARACTERS:
            return f"its math makes {size:,} characters of MathML (at most {MAX_MATHML_CHARACTERS:,}); shorten the formula"
    return None


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


def title_parts(title: str) -> list[Any] | None:
    """The title for a script to build without parsing markup (the papers table): its text parts as
    strings and each `$...$` part as {"tex": source, "math": [element, {attributes}, *children]} (or
    {"tex", "text"} where it will not convert); None for a title without math."""
    if not has_math(title):
        return None
    parts: list[Any] = []
    for part in _MATH.split(title):
        if part.startswith("$") and part.endswith("$") and len(part) > 2:
            tree = math_tree(part[1:-1])
            parts.append({"tex": part, "math": _as_lists(tree)} if tree else {"tex": part, "text": _math_text(part[1:-1])})
        elif part:
            parts.append(part)
    return parts


def _as_lists(node: MathNode | str) -> Any:
    if isinstance(node, str):
        return node
    element, attributes, children = node
    return [element, dict(attributes), *(_as_lists(child) for child in children)]


def title_sort_key(title: str) -> str:
    """How titles sort: by their words, whatever markup or case they carry."""
    return normalise_title(plain_title(title))
