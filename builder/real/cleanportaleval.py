"""CleanPortalEval (ppke-nlpg): 71 pages from four news portals in CleanEval's own format
(``input/<id>.html``, ``GoldStandard/<id>.txt`` with ``URL:`` and ``<p>``/``<h>`` markers),
so it is read by the CleanEval parser under its own corpus name. Unlike CleanEval's, its
``<h>`` opens the gold text with the headline (69 of 71 pages), which is ``title``; the
later ``<h>`` of 12 pages are section heads ("Analysis", "Global shift"), ``body`` as in
CleanEval and in the annotation scheme (a title is an article's headline). Until
2026-12-03 every ``<h>`` was ``title``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from presscut.builder.real import cleaneval
from presscut.builder.real.records import register_import
from presscut.builder.real.source import SourcePage

CORPUS = "cleanportaleval"
ROLES = ("title", "body", "boilerplate")


def pages(folder: Path) -> Iterator[SourcePage]:
    return cleaneval.pages(folder, corpus=CORPUS, roles=ROLES, headings_are_titles=True)


register_import(CORPUS, "the CleanPortalEval folder (input/, GoldStandard/ in CleanEval format)", pages)
