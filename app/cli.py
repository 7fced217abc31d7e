"""`explainer`: build the index, ask questions, run the chat UI. Each command is a thin layer over the core."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.config import Settings, set_offline_env

cli = typer.Typer(add_completion=False, no_args_is_help=True, help="Karabakh Explainer: cited answers.")

IndexDir = Annotated[
    Path | None, typer.Option("--index-dir", help="Index directory (default indexes/, or EXPLAINER_INDEX_DIR).")
]
Embedder = Annotated[str | None, typer.Option("--embedder", help="Embedding backend: minilm or fake.")]


def _settings(index_dir: Path | None, embedder: str | None = None) -> Settings:
    set_offline_env()
    return Settings.from_env(index_dir=index_dir, embedder=embedder)


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _explainer(settings: Settings):  # noqa: ANN202
    from app.explainer import Explainer
    from app.index import IndexMissingError

    try:
        return Explainer(settings)
    except IndexMissingError as exc:
        _fail(str(exc))


def _report_build(report, as_json: bool) -> None:  # noqa: ANN001
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(
            f"Index {report.generation}: {report.chunks} passages; added {len(report.added)}, "
            f"updated {len(report.updated)}, unchanged {len(report.unchanged)}, removed {len(report.removed)}; "
            f"embedded {report.embedded_chunks} passages in {report.seconds:.1f}s."
        )
    for bad in report.rejected:
        typer.secho(f"skipped {bad.path}: {bad.reason}", fg=typer.colors.YELLOW, err=True)
    if report.rejected:
        raise typer.Exit(1)


def _build(sources: list[Path], index_dir: Path | None, embedder: str | None, rebuild: bool, add: bool,
           as_json: bool) -> None:
    from app.errors import ExplainerError
    from app.index import IndexBuilder

    settings = _settings(index_dir, embedder)
    try:
        report = IndexBuilder(settings, progress=not as_json).build(sources, rebuild=rebuild, add=add)
    except (ExplainerError, ValueError) as exc:  # a busy index, an unknown backend, nothing to index
        _fail(str(exc))
    _report_build(report, as_json)


@cli.command()
def index(
    source: Annotated[list[Path] | None, typer.Option("--source", help="File or folder (repeatable).")] = None,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the build report as JSON.")] = False,
) -> None:
    """Build or update the index from the corpus (default corpus/, plus the documents uploaded through the
    API); only changed documents are re-embedded. Malformed files are reported and skipped, and the command
    then exits with status 1."""
    settings = _settings(index_dir, embedder)
    uploads = [settings.uploads_dir] if settings.uploads_dir.is_dir() and any(settings.uploads_dir.iterdir()) else []
    _build(source or [settings.corpus_dir, *uploads], index_dir, embedder, rebuild, False, as_json)


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to add to the existing index.")],
    index_dir: IndexDir = None,
    embedder: Embedder = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the build report as JSON.")] = False,
) -> None:
    """Add documents (e.g. your own wire stories) to the index, keeping everything already there."""
    _build(paths, index_dir, embedder, False, True, as_json)


@cli.command()
def search(
    question: str,
    k: Annotated[int, typer.Option("--k", help="How many passages.")] = 5,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or bm25.")] = "hybrid",
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only documents of this kind.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Only documents covering this date or later.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Only documents covering this date or earlier.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
) -> None:
    """Show the passages retrieved for a question."""
    from app.explainer import QuestionError
    from app.stores import Filters

    explainer = _explainer(_settings(index_dir, embedder))
    try:
        filters = Filters(tuple(kind or ()), date_from, date_to)
        hits = explainer.search(question, k, filters, mode)  # type: ignore[arg-type]
    except (QuestionError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    for rank, hit in enumerate(hits, 1):
        typer.echo(f"[{rank}] {hit.document.title} ({hit.document.date_label}) {hit.chunk.id} score={hit.score:.4f}")
        typer.echo("    " + hit.chunk.text.replace("\n", " ")[:400])


@cli.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question (omit with --batch).")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL file: one {id, question} a line.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write batch answers (default stdout).")] = None,
    history: Annotated[
        list[str] | None,
        typer.Option("--history", help="An earlier question of the conversation (repeatable, oldest first)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON answer.")] = False,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
) -> None:
    """Answer a question with cited sentences, or a file of questions with --batch (JSONL in, JSONL out).
    A follow-up ("When did it end?") is understood with --history giving the earlier questions."""
    from app.explainer import QuestionError

    if (question is None) == (batch is None):
        _fail("Give either a QUESTION or --batch FILE.")
    explainer = _explainer(_settings(index_dir, embedder))
    if batch is not None:
        from app.batch import run_batch

        try:
            failures = run_batch(explainer, batch, out)
        except (OSError, ValueError) as exc:
            _fail(str(exc))
        if failures:
            raise typer.Exit(1)
        return
    try:
        answer = explainer.ask(question, history=history)  # type: ignore[arg-type]
    except QuestionError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(answer.answer)
    if answer.as_of:
        typer.echo(f"(As of {answer.as_of}, the latest date the cited sources cover.)")
    for c in answer.citations:
        typer.echo(f"  [{c.n}] {c.title} ({c.date}) - {c.doc_id} {c.start}-{c.end}")
    if answer.abstained and answer.reason:
        typer.echo(f"Why: {answer.reason}.")
    if answer.abstained and answer.related:
        typer.echo("Nearest sources: " + "; ".join(r["title"] for r in answer.related))


@cli.command()
def explain(
    file: Annotated[Path, typer.Argument(help="The article: a .txt (with an optional .meta.yaml beside it) or .md.")],
    date: Annotated[str | None, typer.Option("--date", help="The article's date (ISO), if the text has none.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON (as POST /api/explain returns it).")] = False,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
) -> None:
    """Explain a news article: its event on the timeline with what led to it and came after, background
    on the people, places and bodies it names, and its figures beside what the sources say."""
    import datetime as dt

    import yaml

    from app import yamldata
    from app.article import ArticleExplainer
    from app.explainer import QuestionError

    try:
        text = file.read_text(encoding="utf-8")
        sidecar = file.with_name(file.name[: -len(file.suffix)] + ".meta.yaml")
        meta = yamldata.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        on = dt.date.fromisoformat(date) if date else None
    except (OSError, ValueError, yaml.YAMLError) as exc:
        _fail(str(exc))
    try:
        out = ArticleExplainer(_explainer(_settings(index_dir, embedder))).explain(text, on, meta)
    except QuestionError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(out.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"Article date: {out.date or 'unknown'} ({out.date_source or 'not found'})")
    for r in out.relative_dates:
        typer.echo(f"  {r['text']} = {r['date']}")
    sections = [("Key background", [out.summary] if out.summary else []), ("The event reported", out.reported),
                ("What led to it", out.earlier), ("What came after", out.later), ("Names", out.entities)]
    for heading, cards in sections:
        if cards:
            typer.echo(f"\n{heading}")
        for card in cards:
            typer.echo(f"- {card.title} ({card.date or card.type}): {card.answer.answer}")
            for c in card.answer.citations:
                typer.echo(f"    [{c.n}] {c.title} - {c.doc_id} {c.start}-{c.end}")
    if out.figures:
        typer.echo("\nFigures")
    for f in out.figures:
        typer.echo(f"- {f.figure} (claimed by {f.claimant or 'the article'}); sources: {f.others.answer or 'none'}")


@cli.command("eval")
def evaluate(
    questions: Annotated[
        list[Path] | None, typer.Option("--questions", help="Question file(s), JSONL (default the dev set).")
    ] = None,
    config: Annotated[
        list[str] | None, typer.Option("--config", help="Configuration(s) to compare (default: all).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report directory (default eval/reports/<time>).")] = None,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
) -> None:
    """Score retrieval, answers, citations, abstention and latency for several configurations side by side."""
    import datetime as dt

    from app.config import PROJECT_ROOT
    from app.evaluation.runner import markdown_table, run_eval
    from app.evaluation.systems import DEFAULT_SYSTEMS

    explainer = _explainer(_settings(index_dir, embedder))
    files = questions or [PROJECT_ROOT / "eval" / "datasets" / "dev.jsonl"]
    out_dir = out or PROJECT_ROOT / "eval" / "reports" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        report = run_eval(explainer, files, config or DEFAULT_SYSTEMS, out_dir)
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(markdown_table(report))
    typer.echo(f"\nReport: {out_dir / 'report.md'}")


@cli.command()
def train(
    train_file: Annotated[
        Path | None, typer.Option("--train", help="Training questions (default eval/datasets/reader/train.jsonl).")
    ] = None,
    dev_file: Annotated[
        Path | None, typer.Option("--dev", help="Questions the thresholds are chosen on (default reader/dev.jsonl).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Model directory (default app/answering/model/).")] = None,
    only: Annotated[
        str | None,
        typer.Option("--only", help="'yes-no': refit only the yes/no model, keeping the other models in --out."),
    ] = None,
    index_dir: IndexDir = None,
) -> None:
    """Train the answer scorer on the train split and choose its thresholds on the dev split (deterministic).

    Needs the index built with the seed news report ingested, as the questions cite it. The test split is
    never read."""
    import logging

    from app.answering.scoring import MODEL_DIR
    from app.answering.training import refit_yes_no
    from app.answering.training import train as run_training
    from app.evaluation.labels import READER_DIR

    if only not in (None, "yes-no"):
        _fail(f"--only takes 'yes-no', not {only!r}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = _settings(index_dir).model_copy(update={"answer_scorer": "rules"})  # features need no model
    run = refit_yes_no if only else run_training
    result = run(_explainer(settings), train_file or READER_DIR / "train.jsonl", dev_file or READER_DIR / "dev.jsonl",
                 out or MODEL_DIR)
    typer.echo(json.dumps(result, indent=2))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    index_dir: IndexDir = None,
    embedder: Embedder = None,
) -> None:
    """Start the server: chat UI at /, REST API under /api, OpenAPI docs at /docs."""
    import os

    settings = _settings(index_dir, embedder)
    # the answers computed at once share the cores: each gets its share of threads (torch, OpenMP), set
    # before the libraries load; with one thread pool per answer, forty concurrent requests thrash
    cores = os.cpu_count() or 1
    threads = str(max(1, cores // (settings.ask_concurrency or cores)))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)

    import uvicorn

    from app.api import create_app

    app = create_app(settings, _explainer(settings))
    typer.echo(f"Karabakh Explainer on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


cli.command("chat", help="Start the chat UI in the browser (http://127.0.0.1:7860); the same server as `serve`.")(
    serve
)


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":
    main()
