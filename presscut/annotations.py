"""Annotated pages: the in-memory model, the human-editable YAML format, and its rules.

One YAML file per raw page (``corpus/labels/<doc_id>.yaml``) names lines by their
0-based number and carries the raw page's sha256. Every rule below is checked on
every build; a broken rule is reported with the file, the page line and the rule.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Iterator
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

FORMAT_VERSION = 2

# The first lines of every label file: the one range convention of the format.
HEADER = (
    f"# presscut annotation, format {FORMAT_VERSION}. Lines are numbered from 0. Every range 'a-b'\n"
    "# (roles, articles' lines, line_duplicates, outlet evidence_lines) holds lines a to b,\n"
    "# both included; blank lines inside a range stay blank.\n"
)


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
    reviewed_by: str | None = None  # who checked a promoted page, and when (YYYY-MM-DD)
    reviewed_on: str | None = None

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


def _page_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise AnnotationError(f"{path}: is a folder, not a page")
    try:
        return path.read_bytes()
    except OSError as err:
        raise AnnotationError(f"{path}: cannot read ({err.strerror or err})") from None


def read_raw(path: Path, *, normalize_newlines: bool = False) -> tuple[str, str]:
    """Raw page text and its sha256; unreadable, non-UTF-8, empty pages and pages holding
    NUL or carriage-return characters are refused by name and line.

    Corpus pages are kept byte-identical, so a CR is an error there; callers that bring
    outside pages in (``add``, ``import``, ``predict``) pass ``normalize_newlines`` to turn
    CRLF and lone CR into LF, and get the sha256 of the text as presscut will hold it.
    """
    path = Path(path)
    return raw_text(path, _page_bytes(path), normalize_newlines=normalize_newlines)


def raw_text(path: Path, data: bytes, *, normalize_newlines: bool = False,
             allow_empty: bool = False) -> tuple[str, str]:
    """``read_raw`` of bytes already read from ``path`` (named in the errors, with 1-based
    line numbers, as editors count them)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise AnnotationError(
            f"{path}: not UTF-8 (byte {err.start}, on line {line}: "
            f"{data[err.start : err.start + 1]!r})"
        ) from None
    if "\r" in text:
        if normalize_newlines:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            data = text.encode("utf-8")
        else:
            line = text.count("\n", 0, text.index("\r")) + 1
            raise AnnotationError(
                f"{path}: line {line}: carriage return (CRLF or CR line endings); corpus "
                "pages use LF only (`presscut add` converts them)"
            )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise AnnotationError(f"{path}: line {line}: NUL character (a binary file?)")
    if text.strip() == "" and not allow_empty:
        raise AnnotationError(f"{path}: empty page (no non-blank line)")
    return text, sha256_bytes(data)


HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# what a folder handed to `predict`/`add` is searched for: text and HTML pages, gzipped too
# (crawls and corpora such as the article-extraction benchmark ship `.html.gz`)
PAGE_SUFFIXES = (".txt", *HTML_SUFFIXES)


def page_suffix(path: Path) -> str:
    """The page kind of a file name: ``.html`` for ``x.HTML`` and ``x.html.gz``, ``.txt``..."""
    suffixes = [s.lower() for s in Path(path).suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def page_stem(path: Path) -> str:
    """The file name without its suffix (and ``.gz``): ``a.html.gz`` -> ``a``."""
    name = Path(path).name
    return Path(name[:-3] if name.lower().endswith(".gz") else name).stem


# Crawls save news pages under their URL's name (story.php, index.shtml, article.aspx, or
# no suffix at all): a file whose suffix does not say what it is counts as HTML when its
# first bytes are an HTML document's, so such a page is neither skipped in a folder nor
# read as markup-laden "text". An XML feed or a JSON file is not taken for a page.
_SNIFF_BYTES = 2048
_HTML_OPENERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<?xml", b"<meta",
                 b"<title")
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<body")


def looks_like_html(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes, unzipped) opens an HTML document."""
    head = head[:_SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith(_HTML_OPENERS) and any(m in head for m in _HTML_MARKS)


def _head(path: Path) -> bytes:
    import gzip
    import zlib

    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path) as fh:
                return fh.read(_SNIFF_BYTES)
        with path.open("rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except (OSError, EOFError, zlib.error):
        return b""  # unreadable: no page by its content (read_page names it when named)


def page_kind(path: Path, data: bytes | None = None) -> str | None:
    """``"text"``, ``"html"``, or None (not a page) for a file: by its suffix (``.txt``; the
    HTML suffixes; either gzipped), else ``"html"`` when its first bytes (``data``, the
    unzipped file when the caller has read it already) open an HTML document."""
    suffix = page_suffix(path)
    if suffix == ".txt":
        return "text"
    if suffix in HTML_SUFFIXES or looks_like_html(_head(Path(path)) if data is None else data):
        return "html"
    return None


def _walk(folder: Path, chain: tuple[str, ...] = ()) -> Iterator[Path]:
    """Every file under ``folder``, through symlinked folders too (an evaluation set is
    often a folder of links to the pages); a link back to a folder it sits in ends there."""
    import os

    real = os.path.realpath(folder)
    if real in chain:
        return
    for entry in os.scandir(folder):
        if entry.is_dir():
            yield from _walk(Path(entry.path), (*chain, real))
        elif entry.is_file():
            yield Path(entry.path)


def folder_pages(folder: Path) -> list[tuple[str, Path]]:
    """``(id, file)`` of every page file under ``folder`` (``page_kind``), in sorted path
    order; the id is the path inside the folder without the suffix (ids may repeat:
    callers decide)."""
    found = sorted(f for f in _walk(Path(folder)) if page_kind(f))
    return [((f.parent.relative_to(folder) / page_stem(f)).as_posix(), f) for f in found]


def page_files(paths: Iterable[Path]) -> list[tuple[str, Path]]:
    """``(doc_id, file)`` for every page named: a file as given (its id its name without
    the page suffix), a folder as every ``.txt``/``.html``/``.htm``/``.xhtml`` file under
    it, gzipped or not, and every other file there that opens as an HTML document, in
    sorted path order (ids: the path inside the folder without the
    suffix, so two folders' ``index.html`` stay apart). Two pages with one id, a folder
    with no page and a missing path are refused by name."""
    out: list[tuple[str, Path]] = []
    seen: dict[str, Path] = {}
    for given in map(Path, paths):
        if given.is_dir():
            named = folder_pages(given)
            if not named:
                raise AnnotationError(f"{given}: no page files in this folder (looked for "
                                      f"{', '.join(PAGE_SUFFIXES)}, .gz of them, and "
                                      "files that open as HTML)")
        elif given.exists():
            named = [(page_stem(given), given)]
        else:
            raise AnnotationError(f"{given}: no such file or folder")
        for doc_id, f in named:
            if doc_id in seen:
                raise AnnotationError(f"{f}: page id {doc_id!r} is taken by {seen[doc_id]}; "
                                      "rename one, or pass their folder instead")
            seen[doc_id] = f
            out.append((doc_id, f))
    return out


def unzipped(path: Path, data: bytes) -> bytes:
    """``data`` gunzipped when ``path`` ends in ``.gz`` (refused by name when broken)."""
    if not path.name.lower().endswith(".gz"):
        return data
    import gzip
    import zlib

    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise AnnotationError(f"{path}: not a readable gzip file ({err})") from None


def read_page(path: Path, *, allow_empty: bool = False) -> str:
    """An outside page's text, as presscut's real pages were made: an HTML page
    (``page_kind``) is decoded (resiliparse's encoding detection: old news HTML is often
    not UTF-8) and rendered one block a line by the real config's converter; any other
    file is raw text (``read_raw``, newlines normalised). A ``.gz`` file is that, gzipped. Refused by
    name when unreadable, or when empty unless ``allow_empty``."""
    path = Path(path)
    data = unzipped(path, _page_bytes(path))
    if page_kind(path, data) != "html":
        return raw_text(path, data, normalize_newlines=True, allow_empty=allow_empty)[0]
    from presscut.builder.real.convert import decode, html_to_text

    try:
        text = html_to_text(decode(data))  # the converter strips CRs and NULs
    except ImportError:
        raise AnnotationError(f"{path}: an HTML page needs the converter (resiliparse): "
                              "pip install 'presscut[real]'") from None
    if text.strip() == "" and not allow_empty:
        raise AnnotationError(f"{path}: no text in this HTML page after conversion")
    return text


# ------------------------------------------------------------------ strict YAML
QUOTE_LIMIT = 80


def quote(value, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of a value for an error message, cut to ``limit`` characters."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<deeply nested {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class YAMLRefusal(Exception):
    """A YAML construct label files do not allow; carries the file line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class YMap(dict):
    """A YAML mapping that remembers the file line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def at(self, key) -> str:
        line = getattr(self, "key_lines", {}).get(key, self.line)
        return f"yaml line {line}" if line else "yaml"


class YSeq(list):
    """A YAML sequence that remembers the file line of itself and of each item."""

    line: int = 0
    item_lines: list

    def at(self, j: int) -> str:
        lines = getattr(self, "item_lines", [])
        line = lines[j] if j < len(lines) else self.line
        return f"yaml line {line}" if line else "yaml"


def _line(node) -> int:
    return node.start_mark.line + 1


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML for label files: no anchors or aliases (an alias bomb expands a small file
    into gigabytes), no explicit tags (``!!float "x"`` crashes the constructor), no
    timestamps (a date stays text), no duplicate or merge keys, no lone surrogates or NUL."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YAMLRefusal(line, "anchors and aliases (& and *) are not allowed")
        if getattr(event, "tag", None) is not None:
            raise YAMLRefusal(line, f"YAML tags ({quote(event.tag)}) are not allowed")
        return super().compose_node(parent, index)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _StrictLoader, node):
    out = YMap()
    out.line, out.key_lines = _line(node), {}
    yield out
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise YAMLRefusal(_line(key_node), "merge keys (<<) are not allowed")
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise YAMLRefusal(_line(key_node), "a mapping key must be text or a number") from None
        if key in out:
            raise YAMLRefusal(
                _line(key_node),
                f"key {quote(key)} given twice (first on yaml line {out.key_lines[key]})",
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = _line(key_node)


def _construct_seq(loader: _StrictLoader, node):
    out = YSeq()
    out.line, out.item_lines = _line(node), [_line(n) for n in node.value]
    yield out
    out.extend(loader.construct_object(n, deep=True) for n in node.value)


def _construct_str(loader: _StrictLoader, node):
    text = loader.construct_scalar(node)
    if "\x00" in text:
        raise YAMLRefusal(_line(node), "NUL character in text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise YAMLRefusal(
            _line(node), f"text holds a lone surrogate ({quote(text[err.start])}), not Unicode"
        ) from None
    return text


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_StrictLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def load_yaml(path: Path, what: str = "annotation file"):
    """Parse one label file with the strict loader; every failure is an AnnotationError
    naming the file and the YAML line."""
    name = str(path)
    path = Path(path)
    if path.is_dir():
        raise AnnotationError(f"{name}: is a folder, not an {what}")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AnnotationError(f"{name}: cannot read ({err.strerror or err})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise AnnotationError(f"{name}: {what} is not UTF-8 (yaml line {line}, byte "
                              f"{err.start})") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (the strict safe loader)
    except YAMLRefusal as err:
        raise AnnotationError(f"{name}: yaml line {err.line}: {err.message}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" (yaml line {mark.line + 1})" if mark else ""
        problem = getattr(err, "problem", None) or err
        raise AnnotationError(f"{name}: not valid YAML{at}: {quote(str(problem), 200)}") from None
    except RecursionError:
        raise AnnotationError(f"{name}: YAML nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as err:  # e.g. an integer of 5,000 digits
        raise AnnotationError(f"{name}: cannot read a YAML value: {quote(str(err), 200)}") from None


def _at(container, key) -> str:
    at = getattr(container, "at", None)
    return f" ({at(key)})" if at else ""


def _unknown_keys(doc: dict, allowed: tuple[str, ...], where: str, problems: list[str]) -> None:
    """A misspelt key is an error: `line_duplicate:` used to drop every duplicate group."""
    for key in doc:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (keys: {', '.join(allowed)})"
            problems.append(f"{where}unknown key {quote(key)}{_at(doc, key)}{hint}")


def _text(value, where: str, problems: list[str], *, optional: bool = True) -> str | None:
    """A text field: a string (or null when optional); numbers and lists are refused."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        problems.append(f"{where}: expected text{' or null' if optional else ''}, "
                        f"got {quote(value)}")
        return None
    return value


# ------------------------------------------------------------------ parsing
_RANGE = re.compile(r"(\d{1,9})(?:\s*-\s*(\d{1,9}))?")

PAGE_KEYS = ("doc_id", "sha256", "provenance", "reviewed_by", "reviewed_on", "note", "outlet",
             "roles", "articles", "line_duplicates", "line_notes")
ARTICLE_KEYS = ("k", "lines", "byline", "cited_sources", "dup_cluster", "story_cluster", "note")
OUTLET_KEYS = ("name", "evidence_lines")
DUP_GROUP_KEYS = ("lines", "kind")
STANCE_KEYS = ("provenance", "note", "pairs")


def _line_range(spec, where: str, n: int, problems: list[str]) -> tuple[int, int] | None:
    """``7`` or ``"2-5"`` (both ends included) → (first, last), checked against the page's
    ``n`` lines before anything is expanded (a 27-character range must not allocate)."""
    if isinstance(spec, bool) or not isinstance(spec, int | str):
        problems.append(f"{where}: {quote(spec)} is not a line number or 'a-b' range")
        return None
    if isinstance(spec, int):
        a = b = spec
    else:
        m = _RANGE.fullmatch(spec.strip())
        if not m:
            problems.append(f"{where}: {quote(spec)} is not a line number or 'a-b' range")
            return None
        a = int(m[1])
        b = int(m[2]) if m[2] is not None else a
    if b < a:
        problems.append(f"{where}: range {quote(spec)} ends before it starts")
        return None
    if a < 0 or b >= n:
        what = f"line {a}" if a == b else f"range {a}-{b}"
        problems.append(f"{where}: {what} is out of range (page has lines 0-{n - 1})")
        return None
    return a, b


def _line_list(value, where: str, n: int, problems: list[str]) -> list[int]:
    """A list of line numbers and 'a-b' ranges → the line numbers (bounded by the page)."""
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of line numbers or 'a-b' ranges, "
                        f"got {quote(value)}")
        return []
    out: list[int] = []
    for j, spec in enumerate(value):
        r = _line_range(spec, f"{where}[{j}]", n, problems)
        if r is not None:
            out.extend(range(r[0], r[1] + 1))
    return out


def _as_int(value, where: str, problems: list[str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}: {quote(value)} is not an integer")
        return None
    return value


def _list(value, where: str, problems: list[str]) -> list:
    """An optional list field: null is empty; a scalar or mapping is refused."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list, got {quote(value)}")
        return []
    return value


def parse_page(label_path: Path, text: str, sha256: str) -> Page:
    """Parse and validate one annotation file against its raw page text."""
    name = str(label_path)
    doc = load_yaml(label_path)
    if not isinstance(doc, dict):
        raise AnnotationError(f"{name}: expected a mapping at the top level, got {quote(doc)}")

    problems: list[str] = []
    lines = split_lines(text)
    n = len(lines)
    doc_id = Path(label_path).name.removesuffix(".yaml")
    _unknown_keys(doc, PAGE_KEYS, "", problems)

    if doc.get("doc_id") != doc_id:
        problems.append(f"doc_id {quote(doc.get('doc_id'))} does not match the file name "
                        f"{doc_id!r}")
    if doc.get("sha256") != sha256:
        problems.append(
            f"stale sha256: file says {quote(doc.get('sha256'))}, raw page has {sha256!r} "
            "(the raw page changed after it was annotated; re-check every label)"
        )
    provenance = doc.get("provenance")
    if provenance not in PROVENANCES:
        problems.append(f"provenance {quote(provenance)} is not one of {list(PROVENANCES)}")
    note = _text(doc.get("note"), "note", problems) or ""
    reviewed_by = _text(doc.get("reviewed_by"), "reviewed_by", problems)
    reviewed_on = _text(doc.get("reviewed_on"), "reviewed_on", problems)

    # roles: a list of [line or 'a-b', role] or [line or 'a-b', role, note]
    roles: list[str | None] = [None] * n
    line_notes: dict[int, str] = {}
    role_entries = _list(doc.get("roles"), "roles", problems)
    for j, entry in enumerate(role_entries):
        where = f"roles[{j}]{_at(role_entries, j)}"
        if not isinstance(entry, list) or len(entry) not in (2, 3):
            problems.append(
                f"{where}: expected [line or 'a-b', role] or [.., role, note], got {quote(entry)}"
            )
            continue
        spec, role = entry[0], entry[1]
        if not isinstance(role, str) or role not in ROLES:
            problems.append(f"{where}: unknown role {quote(role)} (roles: {', '.join(ROLES)})")
            continue
        entry_note = _text(entry[2], f"{where} note", problems) if len(entry) == 3 else None
        span = _line_range(spec, where, n, problems)
        if span is None:
            continue
        single = span[0] == span[1]
        for i in range(span[0], span[1] + 1):
            if roles[i] is not None:
                problems.append(f"line {i}: given two roles ({roles[i]} and {role}, {where})")
                continue
            if is_blank(lines[i]) and role != "blank":
                # a range may run across blank separator lines; a single line may not
                if single:
                    problems.append(f"line {i}: blank line labelled {role!r} ({where})")
                roles[i] = "blank"
                continue
            if not is_blank(lines[i]) and role == "blank":
                problems.append(f"line {i}: non-blank line {quote(lines[i][:40])} labelled "
                                "'blank'")
            roles[i] = role
            if entry_note is not None:
                line_notes[i] = entry_note
    for i, line in enumerate(lines):
        if roles[i] is None:
            if is_blank(line):
                roles[i] = "blank"
            else:
                problems.append(f"line {i}: non-blank line has no role: {quote(line[:60])}")
    notes_doc = doc.get("line_notes")
    if notes_doc is not None and not isinstance(notes_doc, dict):
        problems.append(f"line_notes{_at(doc, 'line_notes')}: expected a mapping of line "
                        f"number to note, got {quote(notes_doc)}")
        notes_doc = None
    for key, value in (notes_doc or {}).items():
        where = f"line_notes[{quote(key)}]{_at(notes_doc, key)}"
        i = _as_int(key, where, problems)
        value = _text(value, where, problems, optional=False)
        if i is not None and value is not None:
            if 0 <= i < n:
                line_notes[i] = value
            else:
                problems.append(f"{where}: line {i} is out of range (page has lines 0-{n - 1})")

    # articles
    articles: list[Article] = []
    seen_k: set[int] = set()
    article_docs = _list(doc.get("articles"), "articles", problems)
    for j, raw in enumerate(article_docs):
        where = f"articles[{j}]{_at(article_docs, j)}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping, got {quote(raw)}")
            continue
        _unknown_keys(raw, ARTICLE_KEYS, f"{where}: ", problems)
        k = _as_int(raw.get("k", j), f"{where}.k", problems)
        spec = raw.get("lines")
        if isinstance(spec, list):
            hint = ""
            if len(spec) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                      for x in spec) and spec[1] > spec[0]:
                hint = f"; [{spec[0]}, {spec[1]}) is now written {spec[0]}-{spec[1] - 1}"
            problems.append(f"{where}.lines: write the span as 'first-last', both lines "
                            f"included (the old [start, end) list form is not read){hint}")
            continue
        span = _line_range(spec, f"{where}.lines", n, problems)
        if k is None or span is None:
            continue
        start, end = span[0], span[1] + 1
        if k in seen_k:
            problems.append(f"{where}: article id {article_id(doc_id, k)} is used twice")
        seen_k.add(k)
        if is_blank(lines[start]) or is_blank(lines[end - 1]):
            problems.append(
                f"{where}: span {start}-{end - 1} must run from its first to its last content "
                "line"
            )
        clusters = {}
        for key in ("dup_cluster", "story_cluster"):
            value = raw.get(key)
            if not isinstance(value, str) or not value:
                problems.append(f"{where}: {key} must be a non-empty text, got {quote(value)}")
            clusters[key] = value if isinstance(value, str) else ""
        cited = raw.get("cited_sources")
        cited = [] if cited is None else cited
        if not (isinstance(cited, list) and all(isinstance(c, str) for c in cited)):
            problems.append(f"{where}: cited_sources must be a list of names, got {quote(cited)}")
            cited = []
        byline = _text(raw.get("byline"), f"{where}.byline", problems)
        articles.append(
            Article(
                k=k,
                start_line=start,
                end_line=end,
                dup_cluster=clusters["dup_cluster"],
                story_cluster=clusters["story_cluster"],
                byline=byline,
                cited_sources=list(cited),
                note=_text(raw.get("note"), f"{where}.note", problems) or "",
            )
        )
    articles.sort(key=lambda a: a.start_line)
    for a, b in zip(articles, articles[1:]):
        if b.start_line < a.end_line:
            problems.append(
                f"articles {article_id(doc_id, a.k)} {a.start_line}-{a.end_line - 1} and "
                f"{article_id(doc_id, b.k)} {b.start_line}-{b.end_line - 1} overlap"
            )
    if [a.k for a in articles] != list(range(len(articles))):
        problems.append(
            f"article numbers must be 0..{len(articles) - 1} in page order, "
            f"got {quote([a.k for a in articles])}"
        )

    # roles against spans: article roles only inside an article; each article has a body line
    inside = [False] * n
    for a in articles:
        for i in range(a.start_line, a.end_line):
            inside[i] = True
        if not any(roles[i] == "body" for i in range(a.start_line, a.end_line)):
            problems.append(f"article {article_id(doc_id, a.k)}: has no body line")
    for i, role in enumerate(roles):
        if role in ARTICLE_ROLES and not inside[i]:
            problems.append(f"line {i}: role {role!r} outside every article span")

    # line duplicates
    dup_groups: list[DupGroup] = []
    grouped: dict[int, int] = {}
    dup_docs = _list(doc.get("line_duplicates"), "line_duplicates", problems)
    for j, raw in enumerate(dup_docs):
        where = f"line_duplicates[{j}]{_at(dup_docs, j)}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping with 'lines' and 'kind', "
                            f"got {quote(raw)}")
            continue
        _unknown_keys(raw, DUP_GROUP_KEYS, f"{where}: ", problems)
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in DUP_KINDS:
            problems.append(f"{where}: kind {quote(kind)} is not one of {list(DUP_KINDS)}")
        members = _line_list(raw.get("lines"), f"{where}.lines", n, problems)
        ok = True
        for i in members:
            if is_blank(lines[i]):
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
    outlet_doc = doc.get("outlet")
    outlet, evidence = None, []
    if outlet_doc is not None and not isinstance(outlet_doc, dict):
        problems.append(f"outlet{_at(doc, 'outlet')}: expected a mapping with 'name' and "
                        f"'evidence_lines', got {quote(outlet_doc)}")
    elif outlet_doc is not None:
        _unknown_keys(outlet_doc, OUTLET_KEYS, "outlet: ", problems)
        outlet = _text(outlet_doc.get("name"), "outlet.name", problems)
        evidence_doc = outlet_doc.get("evidence_lines")
        evidence = _line_list([] if evidence_doc is None else evidence_doc,
                              "outlet.evidence_lines", n, problems)
        if outlet is not None and not evidence:
            problems.append("outlet: a named outlet needs at least one evidence line")
        if outlet is None and evidence and outlet_doc.get("name") is None:
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
        outlet_evidence_lines=evidence,
        provenance=provenance,
        note=note,
        line_notes=line_notes,
        reviewed_by=reviewed_by,
        reviewed_on=reviewed_on,
    )


def parse_stance(
    path: Path, articles: dict[str, str], skip_docs: frozenset[str] = frozenset()
) -> list[StancePair]:
    """Annotated stance pairs (``corpus/labels/_stance.yaml``); ``articles`` maps id → story.

    Pairs that touch a page in ``skip_docs`` (refused elsewhere, and reported there) are
    dropped rather than reported twice.
    """
    name = str(path)
    doc = load_yaml(path, "stance file")
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise AnnotationError(f"{name}: expected a mapping with 'pairs' at the top level, "
                              f"got {quote(doc)}")
    problems: list[str] = []
    _unknown_keys(doc, STANCE_KEYS, "", problems)
    pairs: list[StancePair] = []
    seen: set[tuple[str, str]] = set()
    entries = _list(doc.get("pairs"), "pairs", problems)
    for j, raw in enumerate(entries):
        where = f"pairs[{j}]{_at(entries, j)}"
        if not isinstance(raw, list) or len(raw) not in (3, 4):
            problems.append(f"{where}: expected [headline_article, body_article, stance, note?], "
                            f"got {quote(raw)}")
            continue
        h, b, stance = raw[0], raw[1], raw[2]
        if not (isinstance(h, str) and isinstance(b, str)):
            problems.append(f"{where}: article ids must be text like '<doc_id>/<k>', "
                            f"got {quote(h)} and {quote(b)}")
            continue
        if h.split("/")[0] in skip_docs or b.split("/")[0] in skip_docs:
            continue
        for aid in (h, b):
            if aid not in articles:
                problems.append(f"{where}: article {quote(aid)} does not exist")
        if not isinstance(stance, str) or stance not in STANCES:
            problems.append(f"{where}: unknown stance {quote(stance)} "
                            f"(stances: {', '.join(STANCES)})")
            continue
        pair_note = _text(raw[3], f"{where} note", problems) if len(raw) == 4 else None
        if h == b:
            problems.append(f"{where}: a pair needs two distinct articles")
        if (h, b) in seen:
            problems.append(f"{where}: pair ({h}, {b}) is annotated twice")
        seen.add((h, b))
        if h in articles and b in articles and articles[h] != articles[b] and stance != "unrelated":
            problems.append(
                f"{where}: {h} and {b} belong to different stories but are labelled {stance!r}"
            )
        pairs.append(StancePair(h, b, stance, "annotated", pair_note or ""))
    if problems:
        raise AnnotationError(f"{name}: {len(problems)} problem(s)", problems)
    return pairs


# ------------------------------------------------------------------ writing
def _span_spec(first: int, last: int) -> int | str:
    return first if first == last else f"{first}-{last}"


def _ranges(indices: list[int]) -> list[int | str]:
    out: list[int | str] = []
    start = prev = None
    for i in indices + [None]:
        if start is None:
            start = prev = i
        elif i is not None and i == prev + 1:
            prev = i
        else:
            out.append(_span_spec(start, prev))
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
        spec = _span_spec(i, last)
        role_entries.append([spec, role] + ([page.line_notes[i]] if i in page.line_notes else []))
        i = last + 1
    doc = {
        "doc_id": page.doc_id,
        "sha256": page.sha256,
        "provenance": page.provenance,
        **{key: getattr(page, key) for key in ("reviewed_by", "reviewed_on")
           if getattr(page, key) is not None},
        "note": page.note,
        "outlet": {"name": page.outlet, "evidence_lines": list(page.outlet_evidence_lines)},
        "roles": role_entries,
        "articles": [
            {
                "k": a.k,
                "lines": _span_spec(a.start_line, a.end_line - 1),
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
    return HEADER + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
