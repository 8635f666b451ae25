"""The HTML page of a report after nbconvert's template: one pass over ``html.parser``.

nbconvert's ``HTMLExporter`` parses its whole page with BeautifulSoup (``html.parser``), adds an
``alt`` to every image without one and ``tabindex="0"`` to every input and output area (CSS
selectors over the tree) and writes the tree out again: two thirds of the export's CPU. This
module does the same in one pass over the same parser, without a tree, and writes exactly what
BeautifulSoup writes (``str(soup)``, formatter "minimal"):

- attributes sorted by name, values in double quotes (single ones when the value holds ``"``
  but no ``'``; ``&quot;`` when it holds both), ``&``, ``<``, ``>`` escaped; a duplicated
  attribute keeps its last value; a value-less attribute gets ``=""``;
- the multi-valued attributes (``class``, ``rel`` ...) with their whitespace collapsed;
  ``<meta charset>`` and ``<meta http-equiv=content-type content>`` name utf-8;
- void elements as ``<br/>``, a ``<div/>`` as ``<div></div>``; end tags without an open
  element dropped, open elements closed where an enclosing one ends or at the end;
- text with its character references resolved and ``&``, ``<``, ``>`` escaped (not inside
  ``script``/``style``); text of only ASCII whitespace (outside ``pre``/``textarea``) becomes one
  newline or one space; comments, doctype, CDATA and processing instructions as BeautifulSoup
  writes them.

``tests/test_report_cpu.py`` compares it with nbconvert's BeautifulSoup path on real report pages
and on edge cases.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: nbconvert's text for an image without an ``alt`` (kept: the pages must stay as they were)
ALT_FEHLT = "No description has been provided for this image"

#: BeautifulSoup's void elements of HTML (bs4.builder.HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS)
_VOID = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame", "hr",
        "image", "img", "input", "isindex", "keygen", "link", "menuitem", "meta", "nextid",
        "param", "source", "spacer", "track", "wbr",
    }
)  # fmt: skip
_PRESERVE = frozenset({"pre", "textarea"})
_CDATA_CONTAINING = frozenset({"script", "style"})
_LIST_ALL = frozenset({"class", "accesskey", "dropzone"})
_LIST_TAG = {
    "a": frozenset({"rel", "rev"}),
    "link": frozenset({"rel", "rev"}),
    "td": frozenset({"headers"}),
    "th": frozenset({"headers"}),
    "form": frozenset({"accept-charset"}),
    "object": frozenset({"archive"}),
    "area": frozenset({"rel"}),
    "icon": frozenset({"sizes"}),
    "iframe": frozenset({"sandbox"}),
    "output": frozenset({"for"}),
}
_ASCII_SPACES = frozenset(" \n\t\x0c\r")
_NONWHITESPACE = re.compile(r"\S+")
_CHARSET = re.compile(r"((^|;)\s*charset=)([^;]*)", re.M)
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

# the wrappers of BeautifulSoup's special strings (bs4.element: Comment, Doctype, ...)
_COMMENT = ("<!--", "-->")
_DOCTYPE = ("<!DOCTYPE ", ">\n")
_CDATA = ("<![CDATA[", "]]>")
_DECLARATION = ("<?", "?>")
_PI = ("<?", ">")


def _quoted(value: str) -> str:
    if '"' in value:
        if "'" in value:
            return '"' + value.replace('"', "&quot;") + '"'
        return "'" + value + "'"
    return '"' + value + '"'


def _attribute(
    tag: str, attrs: list[tuple[str, str | None]]
) -> tuple[dict[str, str], frozenset[str]]:
    """A tag's attributes as BeautifulSoup keeps them (the last of duplicates, multi-valued ones
    with collapsed whitespace, a meta's charset as utf-8), and its classes."""
    values: dict[str, str] = {}
    for key, value in attrs:
        values[key] = "" if value is None else value
    listed = _LIST_TAG.get(tag)
    classes: frozenset[str] = frozenset()
    for key in values:
        if key in _LIST_ALL or (listed is not None and key in listed):
            words = _NONWHITESPACE.findall(values[key])
            values[key] = " ".join(words)
            if key == "class":
                classes = frozenset(words)
    if tag == "meta":
        if "charset" in values:
            values["charset"] = "utf-8"
        elif "content" in values and values.get("http-equiv", "").lower() == "content-type":
            values["content"] = _CHARSET.sub(lambda m: m.group(1) + "utf-8", values["content"])
    return values, classes


class _Seite(HTMLParser):
    """One page parsed and written back as BeautifulSoup would, with nbconvert's additions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        #: the open elements: (name, its classes)
        self.stack: list[tuple[str, frozenset[str]]] = []
        self.open_count: dict[str, int] = {}
        self.preserve = 0
        self.data: list[str] = []
        self.already_closed: list[str] = []
        self.in_notebook = 0
        self.missing_alt = 0

    # -- text --------------------------------------------------------------------------------
    def _flush(self, wrapper: tuple[str, str] | None = None) -> None:
        if not self.data:
            return
        text = "".join(self.data)
        self.data = []
        if not self.preserve:
            for ch in text:
                if ch not in _ASCII_SPACES:
                    break
            else:
                text = "\n" if "\n" in text else " "
        if wrapper is not None:
            self.out.append(wrapper[0] + text + wrapper[1])
        elif self.stack and self.stack[-1][0] in _CDATA_CONTAINING:
            self.out.append(text)
        else:
            self.out.append(text.translate(_ESCAPE))

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def handle_charref(self, name: str) -> None:
        from bs4.builder._htmlparser import BeautifulSoupHTMLParser

        deref, _, extra = BeautifulSoupHTMLParser._dereference_numeric_character_reference(name)
        if deref is not None:
            self.data.append(deref)
        if extra is not None:
            self.data.append(extra)

    def handle_entityref(self, name: str) -> None:
        from bs4.dammit import EntitySubstitution

        character = EntitySubstitution.HTML_ENTITY_TO_CHARACTER.get(name)
        self.data.append(character if character is not None else "&" + name)

    def _special(self, data: str, wrapper: tuple[str, str]) -> None:
        self._flush()
        self.data.append(data)
        self._flush(wrapper)

    def handle_comment(self, data: str) -> None:
        self._special(data, _COMMENT)

    def handle_decl(self, decl: str) -> None:
        self._special(decl[len("DOCTYPE ") :], _DOCTYPE)

    def unknown_decl(self, data: str) -> None:
        if data.upper().startswith("CDATA["):
            self._special(data[len("CDATA[") :], _CDATA)
        else:
            self._special(data, _DECLARATION)

    def handle_pi(self, data: str) -> None:
        self._special(data, _PI)

    # -- tags --------------------------------------------------------------------------------
    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs, handle_empty_element=False)
        if tag not in _VOID:  # a void element is closed already
            self.handle_endtag(tag, check_already_closed=False)

    def handle_starttag(
        self, tag: str, attrs: list[tuple[str, str | None]], handle_empty_element: bool = True
    ) -> None:
        self._flush()
        values, classes = _attribute(tag, attrs)
        # nbconvert's additions (HTMLExporter.from_notebook_node)
        if tag == "img" and "alt" not in values:
            values["alt"] = ALT_FEHLT
            self.missing_alt += 1
        elif (
            tag == "div"
            and self.in_notebook
            and ("jp-Cell-inputWrapper" in classes or "jp-OutputArea-output" in classes)
        ):
            values["tabindex"] = "0"
        text = "".join(
            f" {key}={_quoted(values[key].translate(_ESCAPE))}" for key in sorted(values)
        )
        if tag in _VOID:
            # BeautifulSoup closes it at once (an end tag after it is dropped)
            self.out.append(f"<{tag}{text}/>")
            if handle_empty_element:
                self.already_closed.append(tag)
            return
        self.out.append(f"<{tag}{text}>")
        self.stack.append((tag, classes))
        self.open_count[tag] = self.open_count.get(tag, 0) + 1
        if tag in _PRESERVE:
            self.preserve += 1
        if "jp-Notebook" in classes:
            self.in_notebook += 1

    def handle_endtag(self, tag: str, check_already_closed: bool = True) -> None:
        if check_already_closed and tag in self.already_closed:
            self.already_closed.remove(tag)
            return
        self._flush()
        if not self.open_count.get(tag):
            return
        while self.stack:
            name = self._pop()
            if name == tag:
                break

    def _pop(self) -> str:
        name, classes = self.stack.pop()
        self.open_count[name] -= 1
        if name in _PRESERVE:
            self.preserve -= 1
        if "jp-Notebook" in classes:
            self.in_notebook -= 1
        self.out.append(f"</{name}>")
        return name

    def finish(self) -> str:
        self._flush()
        while self.stack:
            self._pop()
        return "".join(self.out)


def nachbearbeiten(html: str) -> tuple[str, int]:
    """The page as nbconvert's ``HTMLExporter`` returns it after its template: every ``<img>``
    without ``alt`` given :data:`ALT_FEHLT`, every ``div.jp-Cell-inputWrapper`` and
    ``div.jp-OutputArea-output`` inside a ``.jp-Notebook`` given ``tabindex="0"``, the whole page
    written as BeautifulSoup writes it. The page and the number of images that lacked ``alt``."""
    seite = _Seite()
    seite.feed(html)
    seite.close()
    return seite.finish(), seite.missing_alt


def html_exporter_klasse():
    """nbconvert's ``HTMLExporter`` with the postprocessing of :func:`nachbearbeiten` (one pass
    instead of BeautifulSoup's tree, its two selector searches and its serialisation) and the
    notebook validated once after all preprocessors (instead of after each)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class KennzahlenHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its template, then one pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            html, missing_alt = nachbearbeiten(html)
            if missing_alt:
                self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
            return html, resources

    return KennzahlenHTMLExporter
