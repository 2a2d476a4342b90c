"""Annotated pages: the in-memory model, the human-editable YAML format, and its rules.

One YAML file per raw page (``corpus/labels/<doc_id>.yaml``) names lines by their
0-based number and carries the raw page's sha256. Every rule below is checked on
every build; a broken rule is reported with the file, the page line and the rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from presscut.errors import AnnotationError
from presscut.schema import (
    ARTICLE_ROLES,
    DUP_KINDS,
    PROVENANCES,
    ROLES,
    STANCES,
    article_id,
    is_blank,
    line_char_offsets,
    split_lines,
)

FORMAT_VERSION = 1


@dataclass
class Article:
    k: int
    start_line: int  # first content line
    end_line: int  # exclusive: one past the last content line
    dup_cluster: str
    story_cluster: str
    byline: str | None = None
    cited_sources: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class DupGroup:
    lines: list[int]
    kind: str  # one of DUP_KINDS


@dataclass
class Page:
    doc_id: str
    text: str
    sha256: str
    roles: list[str]  # one per line, blank lines included
    articles: list[Article]
    dup_groups: list[DupGroup] = field(default_factory=list)
    outlet: str | None = None
    outlet_evidence_lines: list[int] = field(default_factory=list)
    provenance: str = "gold"
    source_file: str = ""
    note: str = ""
    line_notes: dict[int, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    def article_id(self, k: int) -> str:
        return article_id(self.doc_id, k)

    def article_index(self) -> list[int]:
        index = [-1] * len(self.roles)
        for a in self.articles:
            for i in range(a.start_line, a.end_line):
                index[i] = a.k
        return index

    def dup_group_of_line(self) -> list[int]:
        out = [-1] * len(self.roles)
        for g, group in enumerate(self.dup_groups):
            for i in group.lines:
                out[i] = g
        return out

    def char_span(self, a: Article) -> tuple[int, int]:
        offsets = line_char_offsets(self.lines)
        return offsets[a.start_line], offsets[a.end_line - 1] + len(self.lines[a.end_line - 1])

    def title(self, a: Article) -> str:
        lines = self.lines
        for i in range(a.start_line, a.end_line):
            if self.roles[i] == "title":
                return lines[i].strip()
        return ""

    def body(self, a: Article) -> str:
        lines = self.lines
        return "\n".join(
            lines[i] for i in range(a.start_line, a.end_line) if self.roles[i] == "body"
        )


@dataclass
class StancePair:
    headline_article_id: str
    body_article_id: str
    stance: str
    label_source: str = "annotated"
    note: str = ""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_raw(path: Path) -> tuple[str, str]:
    """Raw page text and its sha256; non-UTF-8 or empty pages are refused by name."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AnnotationError(
            f"{path}: not UTF-8 (byte {err.start}: {data[err.start : err.start + 1]!r})"
        ) from None
    if text.strip() == "":
        raise AnnotationError(f"{path}: empty page (no non-blank line)")
    return text, sha256_bytes(data)


# ------------------------------------------------------------------ parsing
def _parse_lines_spec(spec, where: str, problems: list[str]) -> list[int]:
    """``7`` or ``"2-5"`` (inclusive) → line numbers."""
    if isinstance(spec, bool):
        problems.append(f"{where}: line spec {spec!r} is not a line number or 'a-b' range")
        return []
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, str):
        parts = spec.split("-")
        if len(parts) == 2 and parts[0].strip().isdigit() and parts[1].strip().isdigit():
            a, b = int(parts[0]), int(parts[1])
            if b < a:
                problems.append(f"{where}: range {spec!r} ends before it starts")
                return []
            return list(range(a, b + 1))
        if spec.strip().isdigit():
            return [int(spec)]
    problems.append(f"{where}: line spec {spec!r} is not a line number or 'a-b' range")
    return []


def _as_int(value, where: str, problems: list[str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}: {value!r} is not an integer")
        return None
    return value


def parse_page(label_path: Path, text: str, sha256: str) -> Page:
    """Parse and validate one annotation file against its raw page text."""
    name = str(label_path)
    try:
        doc = yaml.safe_load(label_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AnnotationError(f"{name}: annotation file is not UTF-8") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" (yaml line {mark.line + 1})" if mark else ""
        raise AnnotationError(
            f"{name}: not valid YAML{at}: {getattr(err, 'problem', err)}"
        ) from None
    if not isinstance(doc, dict):
        raise AnnotationError(f"{name}: expected a mapping at the top level")

    problems: list[str] = []
    lines = split_lines(text)
    n = len(lines)
    doc_id = label_path.name.removesuffix(".yaml")

    if doc.get("doc_id") != doc_id:
        problems.append(f"doc_id {doc.get('doc_id')!r} does not match the file name {doc_id!r}")
    if doc.get("sha256") != sha256:
        problems.append(
            f"stale sha256: file says {doc.get('sha256')!r}, raw page has {sha256!r} "
            "(the raw page changed after it was annotated; re-check every label)"
        )
    provenance = doc.get("provenance")
    if provenance not in PROVENANCES:
        problems.append(f"provenance {provenance!r} is not one of {list(PROVENANCES)}")

    # roles: a list of [line-or-range, role] or [line-or-range, role, note]
    roles: list[str | None] = [None] * n
    line_notes: dict[int, str] = {}
    for j, entry in enumerate(doc.get("roles") or []):
        where = f"roles[{j}]"
        if not isinstance(entry, list) or len(entry) not in (2, 3):
            problems.append(
                f"{where}: expected [line or 'a-b', role] or [.., role, note], got {entry!r}"
            )
            continue
        spec, role = entry[0], entry[1]
        if role not in ROLES:
            problems.append(f"{where}: unknown role {role!r} (roles: {', '.join(ROLES)})")
            continue
        members = _parse_lines_spec(spec, where, problems)
        for i in members:
            if not 0 <= i < n:
                problems.append(f"{where}: line {i} is out of range (page has lines 0-{n - 1})")
                continue
            if roles[i] is not None:
                problems.append(f"line {i}: given two roles ({roles[i]} and {role}, {where})")
                continue
            if is_blank(lines[i]) and role != "blank":
                # a range may run across blank separator lines; a single line may not
                if len(members) == 1:
                    problems.append(f"line {i}: blank line labelled {role!r} ({where})")
                roles[i] = "blank"
                continue
            if not is_blank(lines[i]) and role == "blank":
                problems.append(f"line {i}: non-blank line {lines[i][:40]!r} labelled 'blank'")
            roles[i] = role
            if len(entry) == 3:
                line_notes[i] = str(entry[2])
    for i, line in enumerate(lines):
        if roles[i] is None:
            if is_blank(line):
                roles[i] = "blank"
            else:
                problems.append(f"line {i}: non-blank line has no role: {line[:60]!r}")
    for key, value in (doc.get("line_notes") or {}).items():
        i = _as_int(key, f"line_notes key {key!r}", problems)
        if i is not None:
            if 0 <= i < n:
                line_notes[i] = str(value)
            else:
                problems.append(f"line_notes: line {i} is out of range (page has lines 0-{n - 1})")

    # articles
    articles: list[Article] = []
    seen_k: set[int] = set()
    for j, raw in enumerate(doc.get("articles") or []):
        where = f"articles[{j}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping, got {raw!r}")
            continue
        k = _as_int(raw.get("k", j), f"{where}.k", problems)
        span = raw.get("lines")
        if not (isinstance(span, list) and len(span) == 2):
            problems.append(
                f"{where}: 'lines' must be [start, end) with end exclusive, got {span!r}"
            )
            continue
        start = _as_int(span[0], f"{where}.lines[0]", problems)
        end = _as_int(span[1], f"{where}.lines[1]", problems)
        if k is None or start is None or end is None:
            continue
        if k in seen_k:
            problems.append(f"{where}: article id {article_id(doc_id, k)} is used twice")
        seen_k.add(k)
        if not (0 <= start < end <= n):
            problems.append(
                f"{where}: span [{start}, {end}) is out of range or empty (page has {n} lines)"
            )
            continue
        if is_blank(lines[start]) or is_blank(lines[end - 1]):
            problems.append(
                f"{where}: span [{start}, {end}) must run from its first to its last content line"
            )
        for key in ("dup_cluster", "story_cluster"):
            if not isinstance(raw.get(key), str) or not raw.get(key):
                problems.append(f"{where}: missing {key}")
        cited = raw.get("cited_sources") or []
        if not (isinstance(cited, list) and all(isinstance(c, str) for c in cited)):
            problems.append(f"{where}: cited_sources must be a list of names")
            cited = []
        byline = raw.get("byline")
        if byline is not None and not isinstance(byline, str):
            problems.append(f"{where}: byline must be text or null")
            byline = None
        articles.append(
            Article(
                k=k,
                start_line=start,
                end_line=end,
                dup_cluster=str(raw.get("dup_cluster") or ""),
                story_cluster=str(raw.get("story_cluster") or ""),
                byline=byline,
                cited_sources=list(cited),
                note=str(raw.get("note") or ""),
            )
        )
    articles.sort(key=lambda a: a.start_line)
    for a, b in zip(articles, articles[1:]):
        if b.start_line < a.end_line:
            problems.append(
                f"articles {article_id(doc_id, a.k)} [{a.start_line}, {a.end_line}) and "
                f"{article_id(doc_id, b.k)} [{b.start_line}, {b.end_line}) overlap"
            )
    if [a.k for a in articles] != list(range(len(articles))):
        problems.append(
            f"article numbers must be 0..{len(articles) - 1} in page order, got {[a.k for a in articles]}"
        )

    # roles against spans: article roles only inside an article; each article has a title or body
    inside = [False] * n
    for a in articles:
        for i in range(a.start_line, min(a.end_line, n)):
            inside[i] = True
        if not any(roles[i] == "body" for i in range(a.start_line, min(a.end_line, n))):
            problems.append(f"article {article_id(doc_id, a.k)}: has no body line")
    for i, role in enumerate(roles):
        if role in ARTICLE_ROLES and not inside[i]:
            problems.append(f"line {i}: role {role!r} outside every article span")

    # line duplicates
    dup_groups: list[DupGroup] = []
    grouped: dict[int, int] = {}
    for j, raw in enumerate(doc.get("line_duplicates") or []):
        where = f"line_duplicates[{j}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping with 'lines' and 'kind'")
            continue
        kind = raw.get("kind")
        if kind not in DUP_KINDS:
            problems.append(f"{where}: kind {kind!r} is not one of {list(DUP_KINDS)}")
        members: list[int] = []
        for spec in raw.get("lines") or []:
            members += _parse_lines_spec(spec, where, problems)
        ok = True
        for i in members:
            if not 0 <= i < n:
                problems.append(f"{where}: line {i} is out of range (page has lines 0-{n - 1})")
                ok = False
            elif is_blank(lines[i]):
                problems.append(f"{where}: line {i} is blank")
                ok = False
            elif i in grouped:
                problems.append(f"{where}: line {i} is already in line_duplicates[{grouped[i]}]")
                ok = False
        if len(set(members)) < 2:
            problems.append(f"{where}: a duplicate group needs at least two lines")
            ok = False
        if ok and kind == "exact":
            texts = {lines[i].strip() for i in members}
            if len(texts) > 1:
                problems.append(f"{where}: marked exact but lines {sorted(members)} differ")
        if ok and kind in DUP_KINDS:
            for i in members:
                grouped[i] = j
            dup_groups.append(DupGroup(lines=sorted(set(members)), kind=kind))

    # outlet
    outlet_doc = doc.get("outlet") or {}
    outlet = outlet_doc.get("name") if isinstance(outlet_doc, dict) else None
    evidence = outlet_doc.get("evidence_lines") or [] if isinstance(outlet_doc, dict) else []
    for i in evidence:
        if not isinstance(i, int) or not 0 <= i < n:
            problems.append(
                f"outlet.evidence_lines: line {i!r} is out of range (page has {n} lines)"
            )
    if outlet is not None and not evidence:
        problems.append("outlet: a named outlet needs at least one evidence line")
    if outlet is None and evidence:
        problems.append("outlet: evidence lines given but the outlet name is null")

    if problems:
        raise AnnotationError(f"{name}: {len(problems)} problem(s)", problems)
    return Page(
        doc_id=doc_id,
        text=text,
        sha256=sha256,
        roles=[r for r in roles if r is not None],
        articles=articles,
        dup_groups=dup_groups,
        outlet=outlet,
        outlet_evidence_lines=[i for i in evidence if isinstance(i, int)],
        provenance=provenance,
        note=str(doc.get("note") or ""),
        line_notes=line_notes,
    )


def parse_stance(
    path: Path, articles: dict[str, str], skip_docs: frozenset[str] = frozenset()
) -> list[StancePair]:
    """Annotated stance pairs (``corpus/labels/_stance.yaml``); ``articles`` maps id → story.

    Pairs that touch a page in ``skip_docs`` (refused elsewhere, and reported there) are
    dropped rather than reported twice.
    """
    name = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise AnnotationError(f"{name}: not valid YAML: {err}") from None
    problems: list[str] = []
    pairs: list[StancePair] = []
    seen: set[tuple[str, str]] = set()
    for j, raw in enumerate(doc.get("pairs") or []):
        where = f"pairs[{j}]"
        if not isinstance(raw, list) or len(raw) not in (3, 4):
            problems.append(f"{where}: expected [headline_article, body_article, stance, note?]")
            continue
        h, b, stance = raw[0], raw[1], raw[2]
        if str(h).split("/")[0] in skip_docs or str(b).split("/")[0] in skip_docs:
            continue
        for aid in (h, b):
            if aid not in articles:
                problems.append(f"{where}: article {aid!r} does not exist")
        if stance not in STANCES:
            problems.append(f"{where}: unknown stance {stance!r} (stances: {', '.join(STANCES)})")
        if h == b:
            problems.append(f"{where}: a pair needs two distinct articles")
        if (h, b) in seen:
            problems.append(f"{where}: pair ({h}, {b}) is annotated twice")
        seen.add((h, b))
        if h in articles and b in articles and articles[h] != articles[b] and stance != "unrelated":
            problems.append(
                f"{where}: {h} and {b} belong to different stories but are labelled {stance!r}"
            )
        pairs.append(
            StancePair(h, b, str(stance), "annotated", str(raw[3]) if len(raw) == 4 else "")
        )
    if problems:
        raise AnnotationError(f"{name}: {len(problems)} problem(s)", problems)
    return pairs


# ------------------------------------------------------------------ writing
def _ranges(indices: list[int]) -> list[int | str]:
    out: list[int | str] = []
    start = prev = None
    for i in indices + [None]:
        if start is None:
            start = prev = i
        elif i is not None and i == prev + 1:
            prev = i
        else:
            out.append(start if start == prev else f"{start}-{prev}")
            start = prev = i
    return out


def page_to_yaml(page: Page) -> str:
    """Serialise a page's labels in the human-editable format (used for silver files)."""
    role_entries = []
    i = 0
    while i < len(page.roles):
        role = page.roles[i]
        if role == "blank":
            i += 1
            continue
        # grow the range over lines of the same role and the blank lines between them
        j = last = i
        while (
            j + 1 < len(page.roles)
            and page.roles[j + 1] in (role, "blank")
            and (j + 1 not in page.line_notes)
        ):
            j += 1
            if page.roles[j] == role:
                last = j
        if i in page.line_notes:
            last = i
        spec: int | str = i if i == last else f"{i}-{last}"
        role_entries.append([spec, role] + ([page.line_notes[i]] if i in page.line_notes else []))
        i = last + 1
    doc = {
        "doc_id": page.doc_id,
        "sha256": page.sha256,
        "provenance": page.provenance,
        "note": page.note,
        "outlet": {"name": page.outlet, "evidence_lines": list(page.outlet_evidence_lines)},
        "roles": role_entries,
        "articles": [
            {
                "k": a.k,
                "lines": [a.start_line, a.end_line],
                "byline": a.byline,
                "cited_sources": list(a.cited_sources),
                "dup_cluster": a.dup_cluster,
                "story_cluster": a.story_cluster,
                "note": a.note,
            }
            for a in page.articles
        ],
        "line_duplicates": [{"lines": _ranges(g.lines), "kind": g.kind} for g in page.dup_groups],
    }
    header = (
        f"# presscut annotation, format {FORMAT_VERSION}: lines are 0-based, ranges inclusive\n"
    )
    return header + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
