"""The reader's UI (Gradio), mounted at `/` by the server beside the REST API.

Tabs: chat (streaming cited answers, filters, follow-up suggestions), "Explain this article", timeline and
sources, plus an upload tab for newsrooms when ingest is enabled. A side panel shows a cited document with
the quoted passage highlighted: clicking an `[n]` marker fetches the document from `/api/documents/{id}`
and marks `text[start:end]`. The panel stays in view (sticky) on a wide screen and opens as a drawer over
the page on a phone.

Turning answers into page text is plain functions, tested without a browser. Every piece of document or
user text is HTML-escaped before it reaches the page, and the panel script only ever sets `textContent`:
a `<script>` or `<img onerror>` in a source is shown as text and never runs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.answering import Answer
from app.article import ArticleExplainer, Card, Explanation
from app.errors import IndexBusyError
from app.explainer import Explainer, QuestionError
from app.stores import Filters
from app.timeline import TIMELINE_ID

EXAMPLES = [
    "What did the 10 November 2020 statement say about the Lachin corridor?",
    "How many civilians were killed at Khojaly in February 1992?",
    "What happened in Nagorno-Karabakh in May 1992?",
    "Why did the Minsk Group fail to reach a settlement?",
    "What is Khankendi called in Armenian?",
]

PANEL_HINT = "Click a numbered marker such as [1] to read the cited source here, with the quoted passage highlighted."
PANEL_PLACEHOLDER = (
    '<div id="doc-panel" class="doc-panel" role="region" aria-live="polite" aria-label="Cited source">'
    f'<p class="hint">{PANEL_HINT}</p></div>'
)


@dataclass(frozen=True)
class Period:
    label: str
    start: int  # first year
    end: int  # last year
    colour: str


PERIODS = (
    Period("Soviet period", 1900, 1987, "#6b7280"),
    Period("Karabakh movement and first war", 1988, 1994, "#b91c1c"),
    Period("Ceasefire and negotiations", 1995, 2019, "#1d4ed8"),
    Period("Second war", 2020, 2020, "#c2410c"),
    Period("Blockade, offensive and exodus", 2021, 2023, "#7e22ce"),
    Period("After 2023", 2024, 2100, "#047857"),
)
KIND_LABELS = {"background": "Background", "event": "Events", "agreement": "Agreements", "profile": "Profiles",
               "place": "Places", "timeline": "Timeline", "glossary": "Glossary", "news": "News reports"}
FOLLOW_UPS = 3  # suggested follow-up questions under an answer

# Loaded once in the page head. It reads citation targets from link hrefs (#cite:doc:start:end or
# #doc:id), fetches the document as JSON and builds the panel with textContent only.
UI_HEAD = """
<script>
(function () {
  const HINT = __HINT__;
  function panel() { return document.getElementById('doc-panel'); }
  // on a wide screen the open panel is pinned beside the page (fixed over its own column), so it is in
  // view wherever the reader is in a long tab; CSS sticky alone is undone by Gradio's containers
  function pin() {
    const p = panel(), col = document.getElementById('panel-col');
    if (!p || !col) return;
    if (window.innerWidth <= 768 || !p.classList.contains('open')) {
      p.classList.remove('pinned');
      p.style.left = p.style.width = '';
      return;
    }
    const box = col.getBoundingClientRect();
    p.classList.add('pinned');
    p.style.left = box.left + 'px';
    p.style.width = box.width + 'px';
  }
  window.addEventListener('resize', pin);
  function clearPanel() {
    const p = panel();
    if (!p) return;
    p.classList.remove('pinned');
    p.style.left = p.style.width = '';
    p.replaceChildren();
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = HINT;
    p.appendChild(hint);
    p.classList.remove('open');
  }
  // the document text as blocks: a Markdown heading line becomes a heading, other runs of lines stay text;
  // the cited range [start, end) is wrapped in <mark> pieces, the first one #cited-passage
  function renderText(body, text, start, end) {
    const lines = text.split('\\n');
    let offset = 0, run = null, runStart = 0, marked = false;
    function addRange(parent, a, b) {
      if (start >= 0 && end > start && a < end && b > start) {
        const s = Math.max(a, start), e = Math.min(b, end);
        if (s > a) parent.appendChild(document.createTextNode(text.slice(a, s)));
        const mark = document.createElement('mark');
        if (!marked) { mark.id = 'cited-passage'; marked = true; }
        mark.textContent = text.slice(s, e);
        parent.appendChild(mark);
        if (b > e) parent.appendChild(document.createTextNode(text.slice(e, b)));
      } else {
        parent.appendChild(document.createTextNode(text.slice(a, b)));
      }
    }
    function flush(upTo) {
      if (run === null) return;
      const div = document.createElement('div');
      div.className = 'doc-para';
      addRange(div, runStart, upTo);
      body.appendChild(div);
      run = null;
    }
    for (const line of lines) {
      const m = /^(#{1,6})\\s+(.*)$/.exec(line);
      if (m) {
        flush(offset);
        const h = document.createElement('h' + Math.min(6, m[1].length + 2));
        h.className = 'doc-heading';
        addRange(h, offset + m[0].length - m[2].length, offset + line.length);
        body.appendChild(h);
      } else if (run === null) { run = true; runStart = offset; }
      offset += line.length + 1;
    }
    flush(text.length);
  }
  async function openDocument(docId, start, end) {
    const p = panel();
    if (!p) return;
    const response = await fetch('api/documents/' + encodeURIComponent(docId));
    if (!response.ok) { p.textContent = 'Document ' + docId + ' is not available.'; return; }
    const doc = await response.json();
    p.replaceChildren();
    const head = document.createElement('div');
    head.className = 'doc-head';
    const close = document.createElement('button');
    close.className = 'doc-close';
    close.type = 'button';
    close.setAttribute('aria-label', 'Close the source');
    close.textContent = '×';
    close.addEventListener('click', clearPanel);
    const title = document.createElement('h3');
    title.className = 'doc-title';
    title.textContent = doc.title;
    const meta = document.createElement('div');
    meta.className = 'doc-meta';
    const when = doc.date || [doc.period_start, doc.period_end].filter(Boolean).join(' to ');
    meta.textContent = [doc.kind, when, doc.publisher].filter(Boolean).join(' · ');
    head.append(close, title, meta);
    const body = document.createElement('div');
    body.className = 'doc-text';
    body.setAttribute('data-doc', docId);
    renderText(body, doc.text, start, end);
    p.append(head, body);
    p.classList.add('open');
    pin();
    const mark = document.getElementById('cited-passage');
    // scroll the panel only, not the page, so the passage sits a third of the way down below the header
    const top = mark ? mark.getBoundingClientRect().top - p.getBoundingClientRect().top + p.scrollTop : 0;
    p.scrollTop = Math.max(0, top - head.offsetHeight - p.clientHeight / 4);
  }
  function askFor(question) {
    const box = document.querySelector('#question textarea, #question input');
    const button = document.getElementById('ask-btn');
    if (!box || !button) return false;
    box.value = question;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(function () { button.click(); }, 100);
    return true;
  }
  document.addEventListener('click', function (event) {
    const target = event.target;
    if (!target.closest) return;
    const suggestion = target.closest('a.ask-link');
    if (suggestion) {
      event.preventDefault();
      askFor(suggestion.dataset.question || suggestion.textContent);
      return;
    }
    if (target.closest('button[role="tab"], .overflow-dropdown button, #ask-btn, #new-conversation')) clearPanel();
    const link = target.closest('a[href^="#cite:"], a[href^="#doc:"]');
    if (!link) return;
    event.preventDefault();
    const parts = link.getAttribute('href').slice(1).split(':');
    if (parts[0] === 'cite') openDocument(decodeURIComponent(parts[1]), Number(parts[2]), Number(parts[3]));
    else openDocument(decodeURIComponent(parts[1]), -1, -1);
  }, true);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && event.target.closest && event.target.closest('#question')) clearPanel();
    if (event.key === 'Escape') clearPanel();
  }, true);
  // hover / focus preview of a cited passage
  function preview() {
    let tip = document.getElementById('cite-preview');
    if (!tip) {
      tip = document.createElement('div');
      tip.id = 'cite-preview';
      tip.setAttribute('role', 'tooltip');
      document.body.appendChild(tip);
    }
    return tip;
  }
  function showPreview(link) {
    const tip = preview();
    tip.textContent = link.dataset.quote || '';
    if (!tip.textContent) return;
    const box = link.getBoundingClientRect();
    tip.style.left = Math.max(8, Math.min(window.innerWidth - 340, box.left)) + window.scrollX + 'px';
    tip.style.top = box.bottom + window.scrollY + 6 + 'px';
    tip.classList.add('shown');
    link.setAttribute('aria-describedby', 'cite-preview');
  }
  function hidePreview() {
    const tip = document.getElementById('cite-preview');
    if (tip) tip.classList.remove('shown');
  }
  ['mouseover', 'focusin'].forEach(function (type) {
    document.addEventListener(type, function (event) {
      const link = event.target.closest && event.target.closest('a.cite');
      if (link) showPreview(link);
    });
  });
  ['mouseout', 'focusout'].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target.closest && event.target.closest('a.cite')) hidePreview();
    });
  });
  // the chat's sanitiser drops aria-label and data- attributes: put them back from the document itself
  const docs = {};
  function fetchDoc(docId) {
    if (!docs[docId]) docs[docId] = fetch('api/documents/' + encodeURIComponent(docId)).then(function (r) {
      return r.ok ? r.json() : null;
    });
    return docs[docId];
  }
  function enrich() {
    document.querySelectorAll('a.cite:not([data-enriched])').forEach(function (link) {
      link.setAttribute('data-enriched', '1');
      const parts = link.getAttribute('href').slice(1).split(':');
      if (parts[0] !== 'cite') return;
      const n = link.textContent.replace(/[\\[\\]]/g, '');
      fetchDoc(decodeURIComponent(parts[1])).then(function (doc) {
        if (!doc) return;
        if (!link.getAttribute('aria-label')) link.setAttribute('aria-label', 'source ' + n + ': ' + doc.title);
        if (!link.dataset.quote) link.dataset.quote = doc.text.slice(Number(parts[2]), Number(parts[3]));
      });
    });
  }
  // after an answer, show its start rather than the bottom of its source cards
  const seen = new WeakSet();
  new MutationObserver(function () {
    enrich();
    document.querySelectorAll('.answer-final').forEach(function (el) {
      if (seen.has(el)) return;
      seen.add(el);
      const message = el.closest('.message, .message-row, [data-testid="bot"]') || el;
      let box = message.parentElement;
      while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
        box = box.parentElement;
      }
      if (box) box.scrollTop += message.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
      // and the page, when the chat's top has scrolled out of the window (a phone)
      const top = message.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight - 40) window.scrollBy(0, top - 8);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  // /?q=...: ask the question once the page is ready
  const asked = new URLSearchParams(window.location.search).get('q');
  if (asked) {
    const timer = setInterval(function () { if (askFor(asked)) clearInterval(timer); }, 300);
  }
})();
</script>
""".replace("__HINT__", '"' + PANEL_HINT.replace('"', '\\"') + '"')

UI_CSS = """
#panel-col { position: sticky; top: 0.5rem; align-self: flex-start; }
.doc-panel { max-height: calc(100vh - 1rem); overflow-y: auto; padding: 0 1rem 0.5rem;
  border-left: 1px solid #d0d0d0; background: var(--background-fill-primary, #fff); }
.doc-panel.pinned { position: fixed; top: 0.5rem; z-index: 1000; max-height: calc(100vh - 1rem);
  box-shadow: -4px 0 16px rgba(0,0,0,0.12); }
.doc-panel .doc-head { position: sticky; top: 0; background: var(--background-fill-primary, #fff);
  padding: 0.5rem 0; border-bottom: 1px solid #d0d0d0; z-index: 1; }
.doc-panel .doc-title { margin: 0 2rem 0.2rem 0; font-size: 1.1rem; }
.doc-panel .doc-meta, .source-card .meta, .muted { color: #4b5563; font-size: 0.85rem; }
.doc-panel .doc-close { float: right; font-size: 1.4rem; line-height: 1; background: none; border: 0;
  cursor: pointer; color: inherit; }
.doc-panel .doc-text { line-height: 1.5; }
.doc-panel .doc-para { white-space: pre-wrap; }
.doc-panel .doc-heading { margin: 0.8rem 0 0.3rem; }
.doc-panel mark, .source-card mark { background: #ffd84d; color: #111111; padding: 0.1rem 0; }
a.cite, a.ask-link, .source-card a, .doc-links a { color: #1d4ed8; text-decoration: underline;
  text-underline-offset: 2px; font-weight: 600; }
a.cite:focus-visible, a.ask-link:focus-visible, button:focus-visible, textarea:focus-visible,
input:focus-visible, a:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
#cite-preview { position: absolute; display: none; max-width: 320px; z-index: 2000; padding: 0.5rem 0.7rem;
  background: #111827; color: #f9fafb; border-radius: 6px; font-size: 0.85rem; line-height: 1.4;
  box-shadow: 0 4px 12px rgba(0,0,0,0.25); }
#cite-preview.shown { display: block; }
.source-card { border: 1px solid #d0d0d0; border-radius: 6px; padding: 0.4rem 0.6rem; margin: 0.3rem 0; }
.follow-ups { margin-top: 0.5rem; }
.follow-ups li { margin: 0.2rem 0; }
textarea::placeholder, input::placeholder { color: #595959 !important; opacity: 1; }
.timeline-svg { width: 100%; height: auto; }
.timeline-legend span { display: inline-block; margin-right: 1rem; font-size: 0.85rem; }
.timeline-legend i { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 50%;
  margin-right: 0.3rem; vertical-align: middle; }
.dark .doc-panel .doc-meta, .dark .source-card .meta, .dark .muted { color: #d1d5db; }
.dark a.cite, .dark a.ask-link, .dark .source-card a, .dark .doc-links a { color: #93c5fd; }
.dark textarea::placeholder, .dark input::placeholder { color: #b8b8b8 !important; }
.dark .doc-panel, .dark .doc-panel.pinned { position: fixed; top: 0.5rem; z-index: 1000; max-height: calc(100vh - 1rem);
  box-shadow: -4px 0 16px rgba(0,0,0,0.12); }
.doc-panel .doc-head { background: var(--background-fill-primary, #0b0f19); }
.dark .timeline-svg text { fill: #e5e7eb; }
@media (max-width: 768px) {
  #panel-col { position: static; min-width: 0 !important; }
  .doc-panel { display: none; }
  .doc-panel.open { display: block; position: fixed; left: 0; right: 0; bottom: 0; height: 75vh;
    max-height: 75vh; z-index: 1500; border-left: 0; border-top: 2px solid #9ca3af;
    border-radius: 12px 12px 0 0; box-shadow: 0 -6px 24px rgba(0,0,0,0.3); }
}
"""


def escape(text: str) -> str:
    """Show text as text: HTML escaped, and Markdown's active characters neutralised."""
    return (
        html.escape(text, quote=True)
        .replace("*", "&#42;")
        .replace("_", "&#95;")
        .replace("`", "&#96;")
        .replace("[", "&#91;")
        .replace("]", "&#93;")
    )


def readable_date(iso: str | None) -> str:
    """'1993-04-30' -> '30 April 1993'; anything else unchanged."""
    try:
        d = dt.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso or "")
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def readable_period(doc: Any) -> str:
    """A document's date as readers read it: '30 April 1993 - 14 March 2008', or its publication date."""
    if doc.date:
        return readable_date(doc.date)
    start, end = doc.period_start, doc.period_end
    if start and end and start != end:
        return f"{readable_date(start)} - {readable_date(end)}"
    return readable_date(start or end)


def cite_link(n: int, doc_id: str, start: int, end: int, title: str = "", quote: str = "") -> str:
    label = f"source {n}: {title}" if title else f"source {n}"
    return (
        f'<a class="cite" href="#cite:{html.escape(doc_id)}:{start}:{end}" aria-label="{escape(label)}" '
        f'data-quote="{escape(quote)}">[{n}]</a>'
    )


def linked_answer(answer: Answer, text: str | None = None) -> str:
    """The answer text escaped, with every `[n]` turned into a link that opens the cited passage."""
    text = answer.answer if text is None else text
    by_n = {c.n: c for c in answer.citations}
    out: list[str] = []
    last = 0
    for match in re.finditer(r"\[(\d+)\]", text):
        out.append(escape(text[last : match.start()]))
        c = by_n.get(int(match.group(1)))
        out.append(cite_link(c.n, c.doc_id, c.start, c.end, c.title, c.quote) if c else escape(match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def primary_sources(doc: Any) -> str:
    """A document's own sources (front matter `sources`), URLs as links; '' when it lists none."""
    items = []
    for source in getattr(doc, "sources", None) or []:
        source = str(source)
        if re.fullmatch(r"https?://\S+", source):
            items.append(f'<li><a href="{html.escape(source)}" target="_blank" rel="noopener noreferrer">'
                         f"{escape(source)}</a></li>")
        else:
            items.append(f"<li>{escape(source)}</li>")
    return f'<div class="meta">Primary sources:</div><ul class="primary">{"".join(items)}</ul>' if items else ""


def passage_context(doc: Any, start: int, end: int, chars: int = 240) -> str:
    """The text around a quote (to sentence ends where possible), the quote marked."""
    text = doc.text
    a = max(0, start - chars)
    b = min(len(text), end + chars)
    left = text[a:start]
    cut = max(left.rfind(". "), left.rfind("\n"))
    left = left[cut + 1 :].lstrip() if cut >= 0 else left
    right = text[end:b]
    stop = max(right.find(". "), -1)
    right = right[: stop + 1] if stop >= 0 else right
    return f"{escape(left)}<mark>{escape(text[start:end])}</mark>{escape(right)}"


def format_sources(answer: Answer, documents: dict[str, Any] | None = None) -> str:
    """Numbered source cards under an answer: title, kind, date, publisher, the document's own primary
    sources, and the quoted passage, or its context when the answer already shows the whole quote."""
    if answer.abstained:
        why = f"<p><b>Why:</b> {escape(answer.reason)}.</p>" if answer.reason else ""
        if not answer.related:
            return why
        items = "".join(
            f'<li><a href="#doc:{html.escape(r["doc_id"])}">{escape(r["title"])}</a> ({escape(r["kind"])})</li>'
            for r in answer.related
            if "doc_id" in r
        )
        return why + (f"<p><b>Nearest sources:</b></p><ul>{items}</ul>" if items else "")
    documents = documents or {}
    cards = []
    for c in answer.citations:
        doc = documents.get(c.doc_id)
        date = readable_date(c.date) if re.fullmatch(r"\d{4}-\d\d-\d\d", c.date or "") else c.date
        if doc is not None and c.quote in answer.answer:
            passage = f'<div class="context">{passage_context(doc, c.start, c.end)}</div>'
        else:
            passage = f"<blockquote>{escape(c.quote)}</blockquote>"
        cards.append(
            f'<div class="source-card">{cite_link(c.n, c.doc_id, c.start, c.end, c.title, c.quote)} '
            f"<b>{escape(c.title)}</b>"
            f'<div class="meta">{escape(c.kind)} · {escape(date)} · {escape(c.publisher)}</div>'
            f"{passage}{primary_sources(doc) if doc is not None else ''}</div>"
        )
    as_of = (
        f"<p><i>As of {escape(answer.as_of)}, the latest date the cited sources cover.</i></p>" if answer.as_of else ""
    )
    return as_of + "<p><b>Sources</b></p>" + "".join(cards)


def follow_ups(explainer: Explainer, answer: Answer, limit: int = FOLLOW_UPS) -> list[str]:
    """Questions the cited documents can answer next: timeline events they discuss that the answer does not
    give (nearest in time to what it cites), then their section headings the answer did not quote from."""
    if answer.abstained or not answer.citations:
        return []
    docs = explainer.index.documents
    cited = {c.doc_id for c in answer.citations}
    dates = [e.date for e in explainer.events if e.summary in answer.answer or cited & set(e.docs)]
    centre = min(dates) if dates else None
    seen = answer.answer + " " + answer.question
    events = [e for e in explainer.events if cited & set(e.docs) and e.summary not in seen and e.precision == "day"]
    if centre is not None:
        events.sort(key=lambda e: abs((e.date - centre).days))
    out = [f"What happened on {e.label}?" for e in events if e.label not in answer.question]
    quoted_headings = set()
    for c in answer.citations:
        try:
            quoted_headings.update(explainer.index.chunk_at(c.doc_id, c.start).headings)
        except StopIteration:
            continue
    for doc_id in dict.fromkeys(c.doc_id for c in answer.citations):
        doc = docs.get(doc_id)
        if doc is None or doc_id == TIMELINE_ID:
            continue
        for heading in re.findall(r"^#{2,3}\s+(.+)$", doc.text, re.M):
            heading = heading.strip()
            if heading not in quoted_headings and len(heading.split()) >= 2:
                out.append(f"{heading}: what do the sources say ({doc.title})?")
    return list(dict.fromkeys(q for q in out if q.lower() != answer.question.lower()))[:limit]


def ask_link(question: str) -> str:
    return (f'<a class="ask-link" href="?q={html.escape(urllib.parse.quote(question))}" '
            f'data-question="{escape(question)}">{escape(question)}</a>')


def format_follow_ups(questions: list[str]) -> str:
    if not questions:
        return ""
    items = "".join(f"<li>{ask_link(q)}</li>" for q in questions)
    return f'<div class="follow-ups"><b>Ask next</b><ul>{items}</ul></div>'


def format_answer(text: str, answer: Answer, final: bool, explainer: Explainer | None = None) -> str:
    body = linked_answer(answer, text) if not answer.abstained else escape(text)
    if not final:
        return body
    documents = explainer.index.documents if explainer is not None else None
    suggestions = format_follow_ups(follow_ups(explainer, answer)) if explainer is not None else ""
    reopen = (f'<p class="muted"><a href="?q={html.escape(urllib.parse.quote(answer.question))}" '
              f'class="reopen">Link to this question</a></p>') if answer.question else ""
    return f'<span class="answer-final"></span>{body}\n\n{format_sources(answer, documents)}{suggestions}{reopen}'


def answer_markdown(answer: Answer) -> str:
    """One answer as Markdown with footnotes naming the documents by title."""
    return conversation_markdown([answer])


def conversation_markdown(answers: list[Answer]) -> str:
    """The whole conversation as Markdown: each question and answer, footnotes numbered through the
    conversation, each naming its document by title, kind, date and publisher with the quoted passage,
    and a link that reopens the question."""
    parts = ["# Karabakh Explainer conversation\n"]
    notes: list[str] = []
    for answer in answers:
        numbers: dict[int, int] = {}
        for c in answer.citations:
            notes.append(f'[^{len(notes) + 1}]: {c.title} ({c.kind}, {c.date}, {c.publisher}): "{c.quote}"')
            numbers[c.n] = len(notes)
        body = re.sub(r"\[(\d+)\]", lambda m, nums=numbers: f"[^{nums.get(int(m.group(1)), m.group(1))}]",
                      answer.answer)
        as_of = f"_As of {answer.as_of}, the latest date the cited sources cover._\n\n" if answer.as_of else ""
        link = f"[Reopen this question](/?q={urllib.parse.quote(answer.question)})"
        parts.append(f"## {answer.question}\n\n{body}\n\n{as_of}{link}\n")
    return "\n".join(parts) + "\n" + "\n".join(notes) + "\n"


def message_text(content: Any) -> str:
    """The plain text of a chat message, whatever shape Gradio gives it (a string or a list of parts)."""
    if isinstance(content, list):
        content = " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return html.unescape(str(content))


def earlier_questions(history: list | None) -> list[str]:
    """The reader's earlier questions in this conversation (at most three), for follow-ups."""
    return [message_text(m.get("content")) for m in history or [] if isinstance(m, dict) and m.get("role") == "user"][
        -3:
    ]


def uploaded_kinds(explainer: Explainer) -> tuple[str, ...]:
    """The kinds of the documents added through upload or `explainer ingest` (not from the corpus folder)."""
    corpus = str(explainer.settings.corpus_dir.resolve())
    kinds = {d.kind for d in explainer.index.documents.values()
             if d.id != TIMELINE_ID and not str(Path(d.source_path).resolve()).startswith(corpus)}
    return tuple(sorted(kinds))


def make_filters(explainer: Explainer, kinds: list[str] | None, date_from: str, date_to: str,
                 only_uploaded: bool) -> Filters | None:
    """The Ask tab's filters; "only my uploaded stories" keeps the kinds only uploads have (news)."""
    chosen = tuple(kinds or ())
    if only_uploaded:
        mine = uploaded_kinds(explainer)
        chosen = tuple(k for k in mine if not chosen or k in chosen) or ("(no uploads)",)
    filters = Filters(chosen, (date_from or "").strip() or None, (date_to or "").strip() or None)
    return filters if filters.active else None


def respond(
    explainer: Explainer, message: str, history: list | None = None, filters: Filters | None = None
) -> Iterator[tuple[str, Answer | None]]:
    """Stream one answer for the chat: growing text first, then the sources; the final `Answer` too."""
    try:
        partial = None
        for text, answer in explainer.ask_stream(message, filters, history=earlier_questions(history)):
            partial = (text, answer)
            yield format_answer(text, answer, final=False), None
        if partial:
            yield format_answer(partial[0], partial[1], final=True, explainer=explainer), partial[1]
    except QuestionError as exc:
        yield escape(str(exc)), None


# -- explain this article -------------------------------------------------------------------------------


def format_card(card: Card) -> str:
    when = f" <span class=\"meta\">{escape(readable_date(card.date))}</span>" if card.date else ""
    kind = "" if card.type in ("event", "summary") else f' <span class="meta">({escape(card.type)})</span>'
    return (f'<div class="source-card article-card"><b>{escape(card.title)}</b>{kind}{when}'
            f"<p>{linked_answer(card.answer)}</p></div>")


def format_explanation(out: Explanation) -> str:
    """The article explainer's page: key background first, then the event, what led to it and came after,
    the names, and the figures beside what the sources say."""
    parts = []
    if out.date:
        rel = ", ".join(f"{escape(r['text'])} = {escape(readable_date(r['date']))}" for r in out.relative_dates)
        parts.append(f'<p class="muted">Article date: {escape(readable_date(out.date))} ({escape(out.date_source)})'
                     f"{'; ' + rel if rel else ''}</p>")
    else:
        parts.append('<p class="muted">No date found in the article: give one to match its days to the timeline.</p>')
    if out.summary:
        parts.append(f'<h3>Key background</h3><div class="key-background">{linked_answer(out.summary.answer)}</div>')
    for heading, cards in (("The event reported", out.reported), ("What led to it", out.earlier),
                           ("What came after", out.later), ("People, places and bodies", out.entities)):
        if cards:
            parts.append(f"<h3>{heading}</h3>" + "".join(format_card(c) for c in cards))
    if out.figures:
        rows = []
        for f in out.figures:
            none = '<span class="muted">no source gives a figure on this</span>'
            others = linked_answer(f.others) if f.others.citations else none
            rows.append(f"<tr><td><b>{escape(f.figure)}</b></td><td>{escape(f.claimant or 'the article itself')}</td>"
                        f"<td>{others}</td></tr>")
        parts.append("<h3>Figures</h3><table class=\"figures\"><tr><th>The article says</th><th>Claimed by</th>"
                     "<th>What the sources say</th></tr>" + "".join(rows) + "</table>")
    if len(parts) == 1:
        parts.append("<p>No places, people, events or agreements from the sources were found in this text.</p>")
    return "".join(parts)


# -- timeline and sources -------------------------------------------------------------------------------


def period_of(year: int) -> Period:
    return next((p for p in PERIODS if p.start <= year <= p.end), PERIODS[-1])


def timeline_rows(explainer: Explainer, start_year: int, end_year: int) -> list[Any]:
    return [e for e in explainer.events if start_year <= e.date.year <= end_year]


def format_timeline(events: list[Any], documents: dict[str, Any] | None = None) -> str:
    """The event list: each event's date and summary, a link to it in the timeline and to the documents
    that discuss it, by title."""
    documents = documents or {}
    items = []
    for e in events:
        docs = " · ".join(
            f'<a href="#doc:{html.escape(d)}">{escape(documents[d].title if d in documents else d)}</a>'
            for d in e.docs if not documents or d in documents
        )
        link = cite_link(1, TIMELINE_ID, e.start, e.end, "Timeline", e.summary).replace("[1]", "[timeline]")
        items.append(f"<li><b>{escape(e.label)}</b> - {escape(e.summary)} {link}"
                     f'{" <span class=doc-links>" + docs + "</span>" if docs else ""}</li>')
    return f"<p>{len(events)} events</p><ul class=\"timeline-list\">" + "".join(items) + "</ul>"


def timeline_svg(events: list[Any], width: int = 900, height: int = 170) -> str:
    """The events on a real date axis (ticks at years), one mark per event coloured by period, each with
    its date and title on hover (an SVG <title>)."""
    if not events:
        return "<p>No events in this period.</p>"
    first, last = events[0].date, events[-1].date
    span_start = dt.date(first.year, 1, 1)
    span_end = dt.date(last.year + 1, 1, 1)
    days = (span_end - span_start).days or 1
    left, right, axis = 30, width - 20, height - 40

    def x(d: dt.date) -> float:
        return left + (right - left) * (d - span_start).days / days

    years = span_end.year - span_start.year
    step = next(s for s in (1, 2, 5, 10, 20, 50) if years / s <= 12)
    ticks = []
    for year in range(span_start.year - span_start.year % step, span_end.year + 1, step):
        if span_start.year <= year <= span_end.year:
            tx = x(dt.date(year, 1, 1))
            ticks.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{axis}" y2="{axis + 5}" stroke="#6b7280"/>'
                         f'<text x="{tx:.1f}" y="{axis + 20}" font-size="15" text-anchor="middle" fill="#374151">'
                         f"{year}</text>")
    marks = []
    lanes: dict[int, int] = {}
    for e in events:
        px = round(x(e.date))
        lane = lanes.get(px // 6, 0)
        lanes[px // 6] = lane + 1
        cy = axis - 10 - (lane % 9) * 11
        p = period_of(e.date.year)
        marks.append(f'<circle class="event-mark" cx="{x(e.date):.1f}" cy="{cy}" r="4.5" fill="{p.colour}" '
                     f'data-period="{escape(p.label)}"><title>{escape(e.label)}: {escape(e.title)}</title></circle>')
    legend = "".join(f'<span><i style="background:{p.colour}"></i>{escape(p.label)}</span>' for p in PERIODS
                     if any(p.start <= e.date.year <= p.end for e in events))
    return (f'<svg class="timeline-svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{len(events)} events from {first.year} to {last.year}">'
            f'<line x1="{left}" x2="{right}" y1="{axis}" y2="{axis}" stroke="#6b7280"/>{"".join(ticks)}'
            f'{"".join(marks)}</svg><div class="timeline-legend">{legend}</div>')


def format_sources_list(explainer: Explainer, query: str = "", kind: str = "", period: str = "") -> str:
    """The indexed documents by kind, each with its date as readers read it; `query` keeps those whose
    title or text mentions it, `kind` one kind, `period` those overlapping one of `PERIODS`."""
    wanted = next((p for p in PERIODS if p.label == period), None)
    needle = (query or "").strip().lower()
    by_kind: dict[str, list[Any]] = {}
    for doc in sorted(explainer.index.documents.values(), key=lambda d: (d.period_start or d.date or "", d.id)):
        if kind and doc.kind != kind:
            continue
        if needle and needle not in doc.title.lower() and needle not in doc.text.lower():
            continue
        if wanted is not None:
            years = [int(str(v)[:4]) for v in (doc.period_start, doc.period_end, doc.date) if v]
            if not years or max(years) < wanted.start or min(years) > wanted.end:
                continue
        by_kind.setdefault(doc.kind, []).append(doc)
    if not by_kind:
        return "<p>No source matches.</p>"
    parts = []
    for name, docs in sorted(by_kind.items()):
        items = "".join(
            f'<li><a href="#doc:{html.escape(d.id)}">{escape(d.title)}</a> <span class="meta">'
            f"{escape(readable_period(d))}</span></li>"
            for d in docs
        )
        parts.append(f"<h4>{escape(KIND_LABELS.get(name, name.capitalize()))} ({len(docs)})</h4><ul>{items}</ul>")
    return "".join(parts)


def upload_rows(paths: list | None) -> list[tuple[str, bytes]]:
    """The chosen files, each once: the same file chosen twice (same name and content) is sent once."""
    files: dict[tuple[str, bytes], None] = {}
    for p in paths or []:
        path = Path(p)
        files.setdefault((path.name, path.read_bytes()), None)
    return list(files)


# -- the page ---------------------------------------------------------------------------------------------


def build_ui(
    explainer: Explainer | Callable[[], Explainer],
    ingest: Callable[[list[tuple[str, bytes]], str], dict[str, Any]] | None = None,
    articles: Callable[[], ArticleExplainer] | None = None,
):  # noqa: ANN201 - gradio Blocks
    """The page; pass a callable to always use the server's live explainer (it changes after ingest),
    `ingest(files, token)` to show the newsroom upload tab (it raises PermissionError on a bad token), and
    `articles()` for the server's article explainer (so the timeline's vectors are computed once)."""
    import gradio as gr

    current = explainer if callable(explainer) else (lambda: explainer)
    cache: dict[str, ArticleExplainer] = {}

    def article_explainer() -> ArticleExplainer:
        if articles is not None:
            return articles()
        live = current()
        if "a" not in cache or cache["a"].explainer is not live:
            cache["a"] = ArticleExplainer(live)
        return cache["a"]

    kinds = sorted({d.kind for d in current().index.documents.values()})
    with gr.Blocks(title="Karabakh Explainer") as page:
        gr.Markdown(
            "# Karabakh Explainer\nThe history behind the Nagorno-Karabakh conflict. Every sentence of an answer "
            "is quoted from a source and numbered; click a number to read the passage in its document. When the "
            "sources do not cover a question, it says so."
        )
        answers = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                with gr.Tab("Ask"):
                    chatbot = gr.Chatbot(height=520, label="Answers", sanitize_html=True, buttons=["copy"],
                                         autoscroll=False, elem_id="chat")
                    question = gr.Textbox(placeholder="Ask about the conflict...", label="Question", lines=1,
                                          elem_id="question")
                    with gr.Row():
                        send = gr.Button("Ask", variant="primary", elem_id="ask-btn")
                        clear = gr.Button("New conversation", elem_id="new-conversation")
                        download = gr.DownloadButton("Download the conversation (Markdown)", visible=False)
                    with gr.Accordion("Filters", open=False):
                        kind_filter = gr.CheckboxGroup(kinds, label="Kinds of source", elem_id="kind-filter")
                        with gr.Row():
                            date_from = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="1988-01-01",
                                                   elem_id="date-from")
                            date_to = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="1994-12-31", elem_id="date-to")
                        only_mine = gr.Checkbox(label="Only my uploaded stories", elem_id="only-mine")
                    gr.HTML('<div class="examples"><b>Examples</b><ul>'
                            + "".join(f"<li>{ask_link(q)}</li>" for q in EXAMPLES) + "</ul></div>")
                with gr.Tab("Explain this article"):
                    article = gr.Textbox(label="Paste a news article", lines=10)
                    article_day = gr.Textbox(label="The article's date (YYYY-MM-DD), if it has no dateline",
                                             placeholder="2023-09-20")
                    explain_btn = gr.Button("Explain the background", variant="primary")
                    background = gr.HTML()
                with gr.Tab("Timeline"):
                    with gr.Row():
                        start_year = gr.Number(1921, label="From year", precision=0)
                        end_year = gr.Number(2025, label="To year", precision=0)
                        show = gr.Button("Show")
                    timeline_plot = gr.HTML()
                    timeline_list = gr.HTML()
                with gr.Tab("Sources"):
                    with gr.Row():
                        source_query = gr.Textbox(label="Search the sources", placeholder="Khojaly, ceasefire...")
                        source_kind = gr.Dropdown(["", *kinds], value="", label="Kind")
                        source_period = gr.Dropdown(["", *(p.label for p in PERIODS)], value="", label="Period")
                    sources = gr.HTML()
                if ingest is not None:
                    with gr.Tab("Upload (newsroom)"):
                        files = gr.File(file_count="multiple", label="Documents (.md, .txt + .meta.yaml, .html)")
                        token = gr.Textbox(label="API token", type="password")
                        upload_btn = gr.Button("Add to the index", variant="primary")
                        upload_result = gr.Dataframe(headers=["file", "status", "detail"], label="Result",
                                                     wrap=True, column_widths=["25%", "15%", "60%"])
            with gr.Column(scale=2, elem_id="panel-col"):
                gr.HTML(PANEL_PLACEHOLDER)

        def ask(message: str, history: list, done: list, kinds_: list, a: str, b: str, mine: bool):  # noqa: ANN202
            if not message or not message.strip():  # an empty question does nothing
                yield gr.update(), gr.update(), done, gr.update()
                return
            history = list(history or [])
            history.append({"role": "user", "content": escape(message)})
            history.append({"role": "assistant", "content": ""})
            final = None
            live = current()
            try:
                filters = make_filters(live, kinds_, a, b, mine)
            except ValueError as exc:
                history[-1] = {"role": "assistant", "content": escape(f"Bad date filter: {exc}")}
                yield history, "", done, gr.update()
                return
            for text, answer in respond(live, message, history[:-2], filters):
                history[-1] = {"role": "assistant", "content": text}
                final = answer or final
                yield history, "", done, gr.update()
            if final is not None and not final.abstained:
                done = [*done, final]
                path = Path(tempfile.mkdtemp(prefix="conversation-")) / "karabakh-explainer-conversation.md"
                path.write_text(conversation_markdown(done), encoding="utf-8")
                yield history, "", done, gr.update(value=str(path), visible=True)

        inputs = [question, chatbot, answers, kind_filter, date_from, date_to, only_mine]
        outputs = [chatbot, question, answers, download]
        send.click(ask, inputs, outputs, api_name="ask")
        question.submit(ask, inputs, outputs, api_visibility="private")
        clear.click(lambda: ([], [], gr.update(visible=False)), None, [chatbot, answers, download],
                    api_visibility="private")

        def explain(text: str, day: str, progress=gr.Progress()):  # noqa: ANN202, B008
            if not text or not text.strip():
                return "<p>Paste the text of an article first.</p>"
            progress(0.1, desc="Reading the article's dates, events, names and figures")
            try:
                on = dt.date.fromisoformat(day.strip()) if day and day.strip() else None
            except ValueError:
                return f"<p>{escape(day)} is not a date: use YYYY-MM-DD.</p>"
            return format_explanation(article_explainer().explain(text, on))

        explain_btn.click(explain, [article, article_day], background, api_name="explain")

        def timeline(a: float, b: float):  # noqa: ANN202
            live = current()
            events = timeline_rows(live, int(a or 1921), int(b or 2025))
            return timeline_svg(events), format_timeline(events, live.index.documents)

        show.click(timeline, [start_year, end_year], [timeline_plot, timeline_list], api_name="timeline")
        page.load(timeline, [start_year, end_year], [timeline_plot, timeline_list], api_visibility="private")

        def list_sources(q: str, k: str, p: str) -> str:
            return format_sources_list(current(), q, k, p)

        for control in (source_query, source_kind, source_period):
            control.change(list_sources, [source_query, source_kind, source_period], sources,
                           api_visibility="private")
        page.load(list_sources, [source_query, source_kind, source_period], sources, api_visibility="private")

        if ingest is not None:

            def upload(paths: list | None, supplied: str, progress=gr.Progress()):  # noqa: ANN202, B008
                if not paths:
                    return [["-", "rejected", "no files chosen"]]
                progress(0.2, desc="Indexing")
                try:
                    report = ingest(upload_rows(paths), supplied or "")
                except (PermissionError, IndexBusyError) as exc:
                    return [["-", "rejected", str(exc)]]
                return [[r["file"], r["status"], r.get("doc_id") or r.get("reason", "")] for r in report["results"]]

            upload_btn.click(upload, [files, token], upload_result, api_name="upload")
    return page
