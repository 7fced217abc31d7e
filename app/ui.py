"""The reader's UI (Gradio), mounted at `/` by the server beside the REST API.

Tabs: chat (streaming cited answers), "Explain this article", timeline and sources, plus an upload tab for
newsrooms when ingest is enabled. A side panel shows a cited document with the quoted passage highlighted:
clicking an `[n]` marker fetches the document from `/api/documents/{id}` and marks `text[start:end]`.

Turning answers into page text is plain functions, tested without a browser. Every piece of document or
user text is HTML-escaped before it reaches the page, and the panel script only ever sets `textContent`:
a `<script>` or `<img onerror>` in a source is shown as text and never runs.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.answering import Answer
from app.explainer import Explainer, QuestionError

EXAMPLES = [
    "What did the 10 November 2020 statement say about the Lachin corridor?",
    "How many civilians were killed at Khojaly in February 1992?",
    "What happened in Nagorno-Karabakh in May 1992?",
    "Why did the Minsk Group fail to reach a settlement?",
    "What is Khankendi called in Armenian?",
]

PANEL_PLACEHOLDER = (
    '<div id="doc-panel" class="doc-panel"><p class="hint">Click a numbered marker such as [1] to read the '
    "cited source here, with the quoted passage highlighted.</p></div>"
)

# Loaded once in the page head. It reads citation targets from link hrefs (#cite:doc:start:end or
# #doc:id), fetches the document as JSON and builds the panel with textContent only.
UI_HEAD = """
<script>
(function () {
  async function openDocument(docId, start, end) {
    const panel = document.getElementById('doc-panel');
    if (!panel) return;
    const response = await fetch('api/documents/' + encodeURIComponent(docId));
    if (!response.ok) { panel.textContent = 'Document ' + docId + ' is not available.'; return; }
    const doc = await response.json();
    panel.replaceChildren();
    const title = document.createElement('h3');
    title.textContent = doc.title;
    const meta = document.createElement('div');
    meta.className = 'doc-meta';
    const when = doc.date || [doc.period_start, doc.period_end].filter(Boolean).join(' to ');
    meta.textContent = [doc.kind, when, doc.publisher].filter(Boolean).join(' · ');
    const body = document.createElement('div');
    body.className = 'doc-text';
    body.setAttribute('data-doc', docId);
    if (start >= 0 && end > start) {
      body.appendChild(document.createTextNode(doc.text.slice(0, start)));
      const mark = document.createElement('mark');
      mark.id = 'cited-passage';
      mark.textContent = doc.text.slice(start, end);
      body.appendChild(mark);
      body.appendChild(document.createTextNode(doc.text.slice(end)));
    } else {
      body.textContent = doc.text;
    }
    panel.append(title, meta, body);
    const mark = document.getElementById('cited-passage');
    // scroll the panel only, not the page, so the passage sits a third of the way down
    panel.scrollTop = mark ? Math.max(0, mark.offsetTop - panel.clientHeight / 3) : 0;
  }
  document.addEventListener('click', function (event) {
    const link = event.target.closest && event.target.closest('a[href^="#cite:"], a[href^="#doc:"]');
    if (!link) return;
    event.preventDefault();
    const parts = link.getAttribute('href').slice(1).split(':');
    if (parts[0] === 'cite') openDocument(decodeURIComponent(parts[1]), Number(parts[2]), Number(parts[3]));
    else openDocument(decodeURIComponent(parts[1]), -1, -1);
  }, true);
})();
</script>
"""

UI_CSS = """
.doc-panel { position: relative; max-height: 75vh; overflow-y: auto; padding: 0.5rem 1rem;
  border-left: 1px solid #ddd; }
.doc-panel .doc-meta { color: #666; font-size: 0.85rem; margin-bottom: 0.5rem; }
.doc-panel .doc-text { white-space: pre-wrap; line-height: 1.5; }
.doc-panel mark { background: #ffe066; padding: 0.1rem 0; }
a.cite { text-decoration: none; font-weight: 600; }
.source-card { border: 1px solid #ddd; border-radius: 6px; padding: 0.4rem 0.6rem; margin: 0.3rem 0; }
.source-card .meta { color: #666; font-size: 0.85rem; }
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


def cite_link(n: int, doc_id: str, start: int, end: int) -> str:
    return f'<a class="cite" href="#cite:{html.escape(doc_id)}:{start}:{end}" title="Open source {n}">[{n}]</a>'


def linked_answer(answer: Answer, text: str | None = None) -> str:
    """The answer text escaped, with every `[n]` turned into a link that opens the cited passage."""
    import re

    text = answer.answer if text is None else text
    by_n = {c.n: c for c in answer.citations}
    out: list[str] = []
    last = 0
    for match in re.finditer(r"\[(\d+)\]", text):
        out.append(escape(text[last : match.start()]))
        c = by_n.get(int(match.group(1)))
        out.append(cite_link(c.n, c.doc_id, c.start, c.end) if c else escape(match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def format_sources(answer: Answer) -> str:
    """Numbered source cards (title, kind, date, publisher, quoted passage) under an answer."""
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
    cards = []
    for c in answer.citations:
        cards.append(
            f'<div class="source-card">{cite_link(c.n, c.doc_id, c.start, c.end)} <b>{escape(c.title)}</b>'
            f'<div class="meta">{escape(c.kind)} · {escape(c.date)} · {escape(c.publisher)}</div>'
            f"<blockquote>{escape(c.quote)}</blockquote></div>"
        )
    as_of = (
        f"<p><i>As of {escape(answer.as_of)}, the latest date the cited sources cover.</i></p>" if answer.as_of else ""
    )
    return as_of + "<p><b>Sources</b></p>" + "".join(cards)


def format_answer(text: str, answer: Answer, final: bool) -> str:
    body = linked_answer(answer, text) if not answer.abstained else escape(text)
    return body + ("\n\n" + format_sources(answer) if final else "")


def answer_markdown(answer: Answer) -> str:
    """The answer as Markdown with footnotes: `[^n]` markers and one footnote per cited passage."""
    import re

    body = re.sub(r"\[(\d+)\]", r"[^\1]", answer.answer)
    notes = [
        f'[^{c.n}]: {c.title} ({c.kind}, {c.date}, {c.publisher}), {c.doc_id} characters {c.start}-{c.end}: "{c.quote}"'
        for c in answer.citations
    ]
    as_of = f"_As of {answer.as_of}, the latest date the cited sources cover._\n\n" if answer.as_of else ""
    return f"**{answer.question}**\n\n{body}\n\n{as_of}" + "\n".join(notes) + "\n"


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


def respond(explainer: Explainer, message: str, history: list | None = None) -> Iterator[tuple[str, Answer | None]]:
    """Stream one answer for the chat: growing text first, then the sources; the final `Answer` too."""
    try:
        partial = None
        for text, answer in explainer.ask_stream(message, history=earlier_questions(history)):
            partial = (text, answer)
            yield format_answer(text, answer, final=False), None
        if partial:
            yield format_answer(partial[0], partial[1], final=True), partial[1]
    except QuestionError as exc:
        yield escape(str(exc)), None


# -- explain this article -------------------------------------------------------------------------------

QUESTION_BY_TYPE = {
    "person": "Who is {name}?",
    "place": "What happened in {name} during the conflict?",
    "region": "What is {name}?",
    "organisation": "What is the {name}?",
    "agreement": "What was the {name}?",
}


def explain_article(explainer: Explainer, article: str, limit: int = 8) -> list[dict[str, Any]]:
    """Background for a pasted article: each place, person, organisation or agreement it names, with a
    short cited explanation from the corpus (entities the sources say nothing about are left out)."""
    cards: list[dict[str, Any]] = []
    for entity in explainer.names.find(article):
        if len(cards) >= limit:
            break
        name = next((v for v in entity.variants if v.isascii()), entity.label)
        question = QUESTION_BY_TYPE.get(entity.type, "What is {name}?").format(name=name)
        try:
            answer = explainer.ask(question)
        except QuestionError:
            continue
        if answer.abstained:
            continue
        answer.citations = answer.citations[:2]
        kept = {c.n for c in answer.citations}
        parts = [f"{c.quote} [{c.n}]" for c in answer.citations if c.n in kept]
        answer.answer = " ".join(parts)
        cards.append({"entity": entity.label, "type": entity.type, "question": question, "answer": answer})
    return cards


def article_events(explainer: Explainer, article: str, limit: int = 4) -> list[dict[str, Any]]:
    """Timeline events on the dates an article gives ("19 September 2023"), each cited to the timeline."""
    import datetime as dt

    from app.answering import Citation
    from app.dates import FULL_DATE, MONTHS
    from app.timeline import TIMELINE_ID

    doc = explainer.index.documents.get(TIMELINE_ID)
    if doc is None or not explainer.events:
        return []
    dates = set()
    for match in FULL_DATE.finditer(article):
        parts = match.group(0).replace(",", "").split()
        day, month, year = (parts[1], parts[0], parts[2]) if parts[0].lower() in MONTHS else parts
        try:
            dates.add(dt.date(int(year), MONTHS[month.lower()], int(day.split("-")[0])))
        except (KeyError, ValueError):
            continue
    cards = []
    for event in explainer.events:
        if event.precision == "day" and event.date in dates and len(cards) < limit:
            chunk = explainer.index.chunk_at(TIMELINE_ID, event.start)
            citation = Citation(
                1,
                TIMELINE_ID,
                chunk.id,
                doc.title,
                doc.kind,
                event.label,
                doc.publisher,
                doc.source_path,
                event.summary,
                event.start,
                event.end,
            )
            answer = Answer(event.title, f"{event.summary} [1]", False, [citation])
            cards.append({"entity": f"{event.label}: {event.title}", "type": "event", "question": "", "answer": answer})
    return cards


def format_background(cards: list[dict[str, Any]]) -> str:
    if not cards:
        return "<p>No places, people, events or agreements from the sources were found in this text.</p>"
    blocks = [
        f'<div class="source-card"><b>{escape(card["entity"])}</b> <span class="meta">({escape(card["type"])})</span>'
        f"<p>{linked_answer(card['answer'])}</p>{format_sources(card['answer'])}</div>"
        for card in cards
    ]
    return "<h3>Background</h3>" + "".join(blocks)


# -- timeline and sources -------------------------------------------------------------------------------


def timeline_rows(explainer: Explainer, start_year: int, end_year: int) -> list[Any]:
    return [e for e in explainer.events if start_year <= e.date.year <= end_year]


def format_timeline(events: list[Any]) -> str:
    items = []
    for e in events:
        docs = " ".join(f'<a href="#doc:{html.escape(d)}">{escape(d)}</a>' for d in e.docs)
        items.append(
            f"<li><b>{escape(e.label)}</b> - {escape(e.summary)} "
            f"{cite_link(1, 'timeline', e.start, e.end).replace('[1]', '[timeline]')} {docs}</li>"
        )
    return f"<p>{len(events)} events</p><ul>" + "".join(items) + "</ul>"


def timeline_figure(events: list[Any]):  # noqa: ANN201 - matplotlib Figure
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3.2))
    if events:
        years = [e.date.year + (e.date.timetuple().tm_yday - 1) / 366 for e in events]
        lanes = {"day": 0, "month": 1, "year": 2}
        ax.scatter(years, [lanes.get(e.precision, 0) for e in events], s=18, alpha=0.7)
        ax.set_yticks([0, 1, 2], ["day", "month", "year"])
    ax.set_xlabel("year")
    ax.set_title(f"{len(events)} dated events (precision of the date)")
    fig.tight_layout()
    return fig


def format_sources_list(explainer: Explainer) -> str:
    by_kind: dict[str, list[Any]] = {}
    for doc in sorted(explainer.index.documents.values(), key=lambda d: (d.period_start or "", d.id)):
        by_kind.setdefault(doc.kind, []).append(doc)
    parts = []
    for kind, docs in sorted(by_kind.items()):
        items = "".join(
            f'<li><a href="#doc:{html.escape(d.id)}">{escape(d.title)}</a> <span class="meta">'
            f"{escape(d.date_label)}</span></li>"
            for d in docs
        )
        parts.append(f"<h4>{escape(kind)} ({len(docs)})</h4><ul>{items}</ul>")
    return "".join(parts)


# -- the page ---------------------------------------------------------------------------------------------


def build_ui(
    explainer: Explainer | Callable[[], Explainer],
    ingest: Callable[[list[tuple[str, bytes]], str], dict[str, Any]] | None = None,
):  # noqa: ANN201 - gradio Blocks
    """The page; pass a callable to always use the server's live explainer (it changes after ingest), and
    `ingest(files, token)` to show the newsroom upload tab (it raises PermissionError on a bad token)."""
    import gradio as gr

    current = explainer if callable(explainer) else (lambda: explainer)

    with gr.Blocks(title="Karabakh Explainer") as page:
        gr.Markdown(
            "# Karabakh Explainer\nThe history behind the Nagorno-Karabakh conflict. Every sentence of an answer "
            "is quoted from a source and numbered; click a number to read the passage in its document. When the "
            "sources do not cover a question, it says so."
        )
        last_answer = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Tab("Ask"):
                    chatbot = gr.Chatbot(height=520, label="Answers", sanitize_html=True, buttons=["copy"])
                    question = gr.Textbox(placeholder="Ask about the conflict...", label="Question", lines=1)
                    with gr.Row():
                        send = gr.Button("Ask", variant="primary")
                        clear = gr.Button("New conversation")
                        download = gr.DownloadButton("Download answer (Markdown)", visible=False)
                    gr.Examples(EXAMPLES, inputs=question)
                with gr.Tab("Explain this article"):
                    article = gr.Textbox(label="Paste a news article", lines=10)
                    explain_btn = gr.Button("Explain the background", variant="primary")
                    background = gr.HTML()
                with gr.Tab("Timeline"):
                    with gr.Row():
                        start_year = gr.Number(1921, label="From year", precision=0)
                        end_year = gr.Number(2025, label="To year", precision=0)
                        show = gr.Button("Show")
                    timeline_plot = gr.Plot()
                    timeline_list = gr.HTML()
                with gr.Tab("Sources"):
                    sources = gr.HTML()
                if ingest is not None:
                    with gr.Tab("Upload (newsroom)"):
                        files = gr.File(file_count="multiple", label="Documents (.md, .txt + .meta.yaml, .html)")
                        token = gr.Textbox(label="API token", type="password")
                        upload_btn = gr.Button("Add to the index", variant="primary")
                        upload_result = gr.Dataframe(headers=["file", "status", "detail"], label="Result")
            with gr.Column(scale=2):
                gr.HTML(PANEL_PLACEHOLDER)

        def ask(message: str, history: list):  # noqa: ANN202
            history = list(history or [])
            history.append({"role": "user", "content": escape(message)})
            history.append({"role": "assistant", "content": ""})
            final = None
            for text, answer in respond(current(), message, history[:-2]):
                history[-1] = {"role": "assistant", "content": text}
                final = answer or final
                yield history, "", final, gr.update(visible=False)
            if final is not None and not final.abstained:
                path = Path(tempfile.mkdtemp(prefix="answer-")) / "karabakh-explainer-answer.md"
                path.write_text(answer_markdown(final), encoding="utf-8")
                yield history, "", final, gr.update(value=str(path), visible=True)

        send.click(ask, [question, chatbot], [chatbot, question, last_answer, download], api_name="ask")
        question.submit(ask, [question, chatbot], [chatbot, question, last_answer, download], api_visibility="private")
        clear.click(
            lambda: ([], None, gr.update(visible=False)),
            None,
            [chatbot, last_answer, download],
            api_visibility="private",
        )

        def explain(text: str, progress=gr.Progress()):  # noqa: ANN202, B008
            if not text or not text.strip():
                return "<p>Paste the text of an article first.</p>"
            progress(0.1, desc="Finding places, people, events and agreements")
            text = text[:20_000]
            return format_background(article_events(current(), text) + explain_article(current(), text))

        explain_btn.click(explain, article, background, api_name="explain")

        def timeline(a: float, b: float):  # noqa: ANN202
            events = timeline_rows(current(), int(a or 1921), int(b or 2025))
            return timeline_figure(events), format_timeline(events)

        show.click(timeline, [start_year, end_year], [timeline_plot, timeline_list], api_name="timeline")
        page.load(timeline, [start_year, end_year], [timeline_plot, timeline_list], api_visibility="private")
        page.load(lambda: format_sources_list(current()), None, sources, api_visibility="private")

        if ingest is not None:

            def upload(paths: list | None, supplied: str, progress=gr.Progress()):  # noqa: ANN202, B008
                if not paths:
                    return [["-", "rejected", "no files chosen"]]
                progress(0.2, desc="Indexing")
                files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
                try:
                    report = ingest(files, supplied or "")
                except PermissionError as exc:
                    return [["-", "rejected", str(exc)]]
                return [[r["file"], r["status"], r.get("doc_id") or r.get("reason", "")] for r in report["results"]]

            upload_btn.click(upload, [files, token], upload_result, api_name="upload")
    return page
