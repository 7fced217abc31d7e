"""Composition: chosen sentences -> the `Answer` text with `[n]` markers and its `Citation`s.

Every sentence of an answer is a source sentence quoted exactly; what composition adds is said in the
answerer's own voice and holds no claim: "Yes." / "No." before a yes/no answer's sentence, the sentence
before a quote whose subject is a pronoun ("He said close to 100 ...") so the reader knows who speaks,
and for a declined question with a false premise, "What the sources do say:" before the correcting quote.
"""

from __future__ import annotations

from app.answering.answer import ABSTAIN_MESSAGE, Answer, Citation
from app.answering.cues import PRONOUN_SUBJECT
from app.answering.features import Candidate
from app.index import Index, Sentence
from app.retrieval import Hit

CORRECTION_LEAD = "What the sources do say:"
RELATED_DOCS = 3  # nearest documents offered with a declined answer


def citation(n: int, sentence: Sentence, hit: Hit) -> Citation:
    """The one way a citation is made: the quote is exactly the document's text at the offsets."""
    doc = hit.document
    return Citation(
        n=n, doc_id=doc.id, chunk_id=hit.chunk.id, title=doc.title, kind=doc.kind, date=doc.date_label,
        publisher=doc.publisher, source_path=doc.source_path, quote=doc.text[sentence.start : sentence.end],
        start=sentence.start, end=sentence.end,
    )


def previous_sentence(index: Index, c: Candidate) -> Candidate | None:
    """The sentence just before a candidate in its document (for a pronoun's speaker), or None."""
    spans = [s for s in c.hit.chunk.sentences if s[1] <= c.sentence.start]
    hit = c.hit
    if not spans and c.hit.chunk.start > 0:
        chunk = index.chunk_at(c.sentence.doc_id, max(c.hit.chunk.start - 1, 0))
        spans = [s for s in chunk.sentences if s[1] <= c.sentence.start]
        hit = Hit(chunk, c.hit.document, c.hit.score)
    if not spans:
        return None
    sentence = index.sentence_at(c.sentence.doc_id, spans[-1][0])
    return Candidate(sentence, hit, c.rank, c.terms) if sentence is not None else None


def with_speakers(index: Index, chosen: list[Candidate]) -> list[Candidate]:
    """Each quote whose subject is a pronoun is preceded by the sentence before it, once."""
    out: list[Candidate] = []
    keys = {c.key for c in chosen}
    for c in chosen:
        if PRONOUN_SUBJECT.match(c.text):
            before = previous_sentence(index, c)
            if before is not None and before.key not in keys:
                out.append(before)
                keys.add(before.key)
        out.append(c)
    return out


def quoted(chosen: list[Candidate], first: int = 1) -> tuple[list[str], list[Citation]]:
    """Each sentence followed by its marker, numbered from `first`, and the citations behind the markers."""
    parts: list[str] = []
    citations: list[Citation] = []
    for c in chosen:
        n = first + len(citations)
        citations.append(citation(n, c.sentence, c.hit))
        parts.append(f"{c.text} [{n}]")
    return parts, citations


def answer(question: str, chosen: list[Candidate], index: Index, lead: str = "") -> Answer:
    """The answer from chosen sentences; `lead` ('Yes.', 'No.') goes before the first."""
    parts, citations = quoted(with_speakers(index, chosen))
    text = " ".join(parts)
    return Answer(question=question, answer=f"{lead} {text}" if lead else text, abstained=False,
                  citations=citations)


def decline(question: str, ranked: list[Candidate], reason: str, correction: Candidate | None, index: Index
            ) -> Answer:
    """The plain statement that the sources do not answer, its reason, the nearest documents, and for a
    false premise what the sources do say, cited."""
    related: list[dict[str, str]] = []
    for c in ranked:
        doc = c.hit.document
        if doc.id not in {r["doc_id"] for r in related}:
            related.append({"doc_id": doc.id, "title": doc.title, "kind": doc.kind})
        if len(related) >= RELATED_DOCS:
            break
    text, citations = ABSTAIN_MESSAGE, []
    if correction is not None:
        parts, citations = quoted(with_speakers(index, [correction]))
        text = f"{ABSTAIN_MESSAGE} {CORRECTION_LEAD} {' '.join(parts)}"
    return Answer(question=question, answer=text, abstained=True, citations=citations, related=related,
                  reason=reason)
