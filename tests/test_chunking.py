from app.chunking import chunk_document, split_blocks, split_sentences
from app.ingest import load_document, load_documents

from .conftest import FIXTURES


def test_every_chunk_and_sentence_offset_is_exact() -> None:
    for doc in load_documents([FIXTURES / "corpus"]).documents:
        chunks = chunk_document(doc, chunk_chars=200, overlap_sentences=1)
        assert chunks, doc.id
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            for start, end in chunk.sentences:
                sentence = doc.text[start:end]
                assert sentence == sentence.strip() and sentence
                assert chunk.start <= start < end <= chunk.end


def test_headings_and_list_markers_stay_out_of_sentences() -> None:
    doc = load_document(FIXTURES / "corpus" / "peacekeepers.md")
    chunks = chunk_document(doc, chunk_chars=10_000)
    sentences = [doc.text[s:e] for c in chunks for s, e in c.sentences]
    assert "The mission received 90 armoured personnel carriers and 380 vehicles." in sentences
    assert not any(s.startswith(("#", "- ")) for s in sentences)
    assert chunks[0].headings == ["Russian peacekeepers"]


def test_chunks_never_cross_headings_and_keep_the_path() -> None:
    doc = load_document(FIXTURES / "corpus" / "ceasefire.md")
    chunks = chunk_document(doc, chunk_chars=10_000)
    assert [c.headings for c in chunks] == [
        ["The 1994 ceasefire", "The Bishkek Protocol"],
        ["The 1994 ceasefire", "The truce"],
    ]


def test_overlap_repeats_the_last_sentence() -> None:
    doc = load_document(FIXTURES / "corpus" / "drones.md")
    chunks = chunk_document(doc, chunk_chars=200, overlap_sentences=1)
    assert len(chunks) >= 2
    assert chunks[1].sentences[0] == chunks[0].sentences[-1]
    assert [c.id for c in chunks] == [f"drones-2020#{i}" for i in range(len(chunks))]


def test_abbreviations_do_not_split_sentences() -> None:
    text = "The U.S. State Department estimated about 350 deaths in April 2016. Dr. Smith agreed."
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == [
        "The U.S. State Department estimated about 350 deaths in April 2016.",
        "Dr. Smith agreed.",
    ]


def test_blocks_join_wrapped_lines() -> None:
    text = "# Title\nFirst line\ncontinues here.\n\nSecond paragraph."
    blocks = split_blocks(text)
    assert [text[b.start : b.end] for b in blocks] == ["First line\ncontinues here.", "Second paragraph."]
    assert blocks[0].headings == ("Title",)
