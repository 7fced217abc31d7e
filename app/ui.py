"""The chat UI (Gradio): streaming answers with numbered sources under each one.

Turning an `Answer` into chat text is plain functions, so it is tested without a browser. Every piece of
document or user text is HTML-escaped before it reaches the page: a `<script>` in a source is shown as text.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator

from app.answer import Answer
from app.explainer import Explainer, QuestionError

EXAMPLES = [
    "What did the 10 November 2020 statement say about the Lachin corridor?",
    "How many people did Armenia say were killed?",
    "What happened at Khojaly in February 1992?",
    "Why did the Minsk Group fail to reach a settlement?",
    "What is Khankendi called in Armenian?",
]


def escape(text: str) -> str:
    """Show text as text: HTML escaped, and Markdown's active characters neutralised."""
    return html.escape(text, quote=True).replace("*", "&#42;").replace("_", "&#95;").replace("`", "&#96;")


def format_sources(answer: Answer) -> str:
    """Numbered source cards (title, kind, date, quoted passage) under an answer."""
    if answer.abstained:
        if not answer.related:
            return ""
        items = "\n".join(f"- {escape(r['title'])} ({escape(r['kind'])})" for r in answer.related)
        return f"\n\n**Nearest sources:**\n{items}"
    lines = ["", "", "**Sources**"]
    for c in answer.citations:
        lines.append(
            f"{c.n}. **{escape(c.title)}** · {escape(c.kind)} · {escape(c.date)} · {escape(c.publisher)}  \n"
            f"   > {escape(c.quote)}"
        )
    return "\n".join(lines)


def format_answer(text: str, answer: Answer, final: bool) -> str:
    body = escape(text)
    return body + (format_sources(answer) if final else "")


def respond(explainer: Explainer, message: str, history: list | None = None) -> Iterator[str]:
    """Stream one answer for the chat: growing text first, then the sources."""
    try:
        partial = None
        earlier = [m["content"] for m in history or [] if isinstance(m, dict) and m.get("role") == "user"]
        for text, answer in explainer.ask_stream(message, history=[str(q) for q in earlier][-3:]):
            partial = (text, answer)
            yield format_answer(text, answer, final=False)
        if partial:
            yield format_answer(partial[0], partial[1], final=True)
    except QuestionError as exc:
        yield escape(str(exc))


def build_ui(explainer: Explainer | Callable[[], Explainer]):  # noqa: ANN201 - gradio Blocks
    """The chat UI; pass a callable to always use the server's live explainer (it changes after ingest)."""
    import gradio as gr

    current = explainer if callable(explainer) else (lambda: explainer)

    def chat_fn(message: str, history: list) -> Iterator[str]:
        yield from respond(current(), message, history)

    return gr.ChatInterface(
        chat_fn,
        title="Karabakh Explainer",
        description=(
            "Ask about the history behind the Nagorno-Karabakh conflict. Every sentence of an answer is quoted "
            "from a source and numbered; when the sources do not cover a question, it says so."
        ),
        examples=EXAMPLES,
        cache_examples=False,
        chatbot=gr.Chatbot(height=560, sanitize_html=True, label="Karabakh Explainer"),
    )
