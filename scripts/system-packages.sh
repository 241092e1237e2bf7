#!/usr/bin/env bash
# The Debian packages the tests need: Chromium (browser tests), Graphviz (DOT export), LaTeX with BibTeX
# (.bib exports), Java and npm (the Nu HTML Checker; Node.js also runs Zotero's translation server).
# Installed when missing and run as root (.ci/run, the workflows' bookworm containers); otherwise the
# exact apt line to run. One script for `make test`, `.ci/run` and the workflows.
set -euo pipefail
PACKAGES="chromium graphviz texlive-latex-base"
command -v java >/dev/null || PACKAGES="$PACKAGES default-jre-headless"
command -v npm >/dev/null || PACKAGES="$PACKAGES nodejs npm"
if [ -x /usr/bin/chromium ] && command -v dot >/dev/null && command -v bibtex >/dev/null && command -v java >/dev/null && command -v npm >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "The tests need Debian's $PACKAGES. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y $PACKAGES" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
