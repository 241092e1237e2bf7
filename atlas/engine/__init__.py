"""Stage 5: the engine. Everything that knows MkDocs or its theme: the plugin, theme cache, search index, link check.

The engine is MkDocs 1.6, or with ATLAS_ENGINE=properdocs its maintained drop-in fork ProperDocs:
then every `mkdocs.*` import, the atlas' and Material's, gets the `properdocs.*` module (ProperDocs'
own aliasing), and MkDocs' logger reports to ProperDocs', as ProperDocs' command line arranges."""

import logging
import os

ENGINES = ("mkdocs", "properdocs")
ENGINE = os.environ.get("ATLAS_ENGINE", "mkdocs").strip().lower() or "mkdocs"

if ENGINE not in ENGINES:
    raise SystemExit(f"ATLAS_ENGINE={ENGINE!r} is not an engine the atlas knows: use one of {', '.join(ENGINES)}")
if ENGINE == "properdocs":
    import properdocs.replacement  # noqa: F401  (from here on, `import mkdocs.x` gives properdocs.x)

    logging.getLogger("mkdocs").parent = logging.getLogger("properdocs")
