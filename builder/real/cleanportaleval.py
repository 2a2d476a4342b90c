"""CleanPortalEval (ppke-nlpg): 71 pages from four news portals in CleanEval's own format
(``input/<id>.html``, ``GoldStandard/<id>.txt`` with ``URL:`` and ``<p>``/``<h>`` markers),
so it is read by the CleanEval parser under its own corpus name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from presscut.builder.real import cleaneval
from presscut.builder.real.records import register_import
from presscut.builder.real.source import SourcePage

CORPUS = "cleanportaleval"
ROLES = cleaneval.ROLES


def pages(folder: Path) -> Iterator[SourcePage]:
    return cleaneval.pages(folder, corpus=CORPUS, roles=ROLES)


register_import(CORPUS, "the CleanPortalEval folder (input/, GoldStandard/ in CleanEval format)", pages)
