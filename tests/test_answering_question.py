"""Question analysis: the kind of answer, names and predicate, follow-ups, as readers type them."""

import pytest

from app.answering.question import QuestionAnalyser, claimant_phrase, needs_history, negative, question_kind
from app.config import Settings
from app.names import NameIndex
from app.text import sentence_terms


@pytest.fixture(scope="module")
def analyser() -> QuestionAnalyser:
    names = NameIndex.load(Settings().names_file)
    # a small fake corpus frequency table: 'armenia' is everywhere, 'pashinyan' in a few sentences
    df = {"armenia": 900, **dict.fromkeys(sentence_terms("Pashinyan Shusha", names), 12)}
    return QuestionAnalyser(names, df, sentences=1000, common_share=0.1, history_weight=0.35)


def term(name: str) -> str:
    (only,) = sentence_terms(name, NameIndex.load(Settings().names_file))
    return only


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("whats the death toll of khojaly", "count"),
        ("how many azerbaijani soldiers died in the april war", "count"),
        ("did the us call off the exercise", "yes-no"),
        ("is it true that russia sent peacekeepers in 2020", "yes-no"),
        ("did the russian mission have a un or osce mandate", "yes-no"),
        ("did the madrid principles or the kazan summit lead to a settlement", "yes-no"),
        ("was the helicopter shot down or did it crash", "other"),
        ("was it a blockade or an eco protest", "other"),
        ("can you explain how the nkr declared independence", "how"),
        ("could you list the co-chairs of the minsk group", "list"),
        ("why did pashinyan recognise karabakh as azerbaijan", "why"),
        ("how come the minsk group failed", "why"),
        ("when did the four day war start", "date"),
        ("wen did armenian forces take lachin", "date"),
        ("who signed the bishkek protocol", "person"),
        ("where is the lachin corridor", "place"),
        ("what districts did aze take in the june 1992 offensive", "list"),
        ("list the co-chairs of the minsk group", "list"),
        ("which osce structures were shut down by the 1 sept 2025 decision", "list"),
        ("what happened in may 1992", "timeline"),
        ("compare the two sides' death tolls", "compare"),
        ("how did the blockade start", "how"),
        ("khojaly population before the war", "other"),
    ],
)
def test_kinds_as_readers_type_them(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_names_are_found_in_lower_case_and_predicate_is_what_is_asked(analyser: QuestionAnalyser) -> None:
    q = analyser.analyse("whats pashinyan's height")
    assert term("Pashinyan") in q.names
    assert q.predicate == {"height"}
    assert q.words_of["height"] == "height"
    common = analyser.analyse("What did Armenia say about Shusha?")
    assert "armenia" not in common.names  # a name in most of the corpus says little


def test_a_follow_up_borrows_names_not_predicates(analyser: QuestionAnalyser) -> None:
    history = ["when did armenian forces capture shushi in may 1992"]
    q = analyser.analyse("and when did azerbaijan take it back", history)
    assert term("Shusha") in q.names  # 'it' is Shusha/Shushi
    assert q.terms.get("may", 0) < 1.0 and q.terms.get("1992", 0) < 1.0  # the history weighs less
    assert "Shusha" in q.search_text and "1992" not in q.search_text  # the name carries over, the year not
    standalone = analyser.analyse("who was the president of azerbaijan in 1993", history)
    assert standalone.search_text == standalone.text
    assert set(standalone.terms.values()) == {1.0}


def test_needs_history_and_negative_questions() -> None:
    assert needs_history("when did it end", ("what was the bishkek protocol",))
    assert not needs_history("who signed the bishkek protocol in may 1994", ("anything",))
    assert not needs_history("when did it end", ())
    assert negative("why didn't russia intervene") and negative("why did armenia refuse the deal")
    assert not negative("why did russia intervene")
    assert claimant_phrase("How many people did Armenia say were killed?") == "Armenia"
    assert claimant_phrase("toll according to Human Rights Watch") == "Human Rights Watch"


def test_a_phrase_s_term_maps_back_to_the_readers_words(analyser: QuestionAnalyser) -> None:
    """'take it back' is matched as 'recapture': a reason quoting it must show the reader's phrase, not a stem."""
    from app.text import concepts

    q = analyser.analyse("when did aze take it back")
    (recapture,) = concepts("recapture")
    assert recapture in q.predicate and q.words_of[recapture] == "take it back"
    assert q.predicate_text == "take it back"


def test_a_name_too_common_to_count_is_not_what_is_asked(analyser: QuestionAnalyser) -> None:
    """'nk' (Nagorno-Karabakh) is in most sentences, so it is no name to find; nor is it the predicate."""
    q = analyser.analyse("whos the guy elected nk president right before the 2023 offensive")
    from app.names import ENTITY_PREFIX

    assert not any(t.startswith(ENTITY_PREFIX) for t in q.predicate)
    assert q.predicate_text == "elected offensive president"


def test_a_follow_up_asking_nothing_new_asks_the_earlier_thing(analyser: QuestionAnalyser) -> None:
    """'when was it' after a question on the 2003 runoff asks when the runoff was: its predicate and its
    words carry over; a follow-up with its own predicate keeps it ('take it back')."""
    history = ["who did kocharyan face in the 2003 runoff"]
    q = analyser.analyse("when was it", history)
    assert q.predicate == analyser.analyse(history[0]).predicate and q.predicate_text
    assert "runoff" in q.search_text and "2003" in q.search_text
    own = analyser.analyse("and when did azerbaijan take it back", ["when did armenian forces capture shushi"])
    assert own.predicate_text == "take it back" and "capture" not in own.search_text


def test_how_a_yes_no_question_is_put_is_not_what_it_asks(analyser: QuestionAnalyser) -> None:
    q = analyser.analyse("is it true that pashinyan resigned")
    assert q.predicate_text == "resigned"


def test_a_question_opening_with_a_conjunction_goes_on_from_the_one_before(analyser: QuestionAnalyser) -> None:
    """'and when did armenia have to give the district back' names no subject of its own: it is the Agdam of
    the question before. 'and what is azerbaijan building towards zangilan' names its own, so stays alone."""
    history = ("when did armenian forces take agdam town",)
    assert needs_history("and when did armenia have to give the district back", history)
    assert needs_history("so who did monitor the line", history)
    assert not needs_history("and what is azerbaijan building towards zangilan", history, named=True)
    assert not needs_history("sometimes the line moved, what did the osce say", history)  # 'so' inside a word
    q = analyser.analyse("and when did armenia have to give the district back", list(history))
    assert term("Agdam") in q.names and "Agdam" in q.search_text
    alone = analyser.analyse("and what is azerbaijan building towards zangilan", ["who opened fuzuli airport"])
    assert term("Fuzuli") not in alone.names and alone.search_text == alone.text


def test_a_follow_up_on_a_subject_no_name_index_knows_searches_with_the_earlier_words(
    analyser: QuestionAnalyser,
) -> None:
    """'when was it unveiled' after 'what is tatik-papik': the monument is in no name index, so retrieval
    takes the earlier question's words with it (once), or it would find nothing about the monument."""
    q = analyser.analyse("when was it unveiled", ["what is tatik-papik"])
    assert not q.names and "tatik" in q.search_text and q.search_text.count("tatik") == 1
    assert "unvei" in " ".join(sorted(q.predicate))  # the new question's own words stay what is asked
    two = analyser.analyse("and when was it unveiled", ["what is tatik-papik", "who made it"])
    assert "tatik" in two.search_text  # the subject two questions back


def test_what_about_asks_the_same_of_another_subject(analyser: QuestionAnalyser) -> None:
    """'what about kalbajar' after 'when did armenia have to give agdam back' asks when Kalbajar was given
    back: the kind and the predicate carry over, the earlier subject (Agdam) does not."""
    history = ["when did armenia have to give agdam back"]
    q = analyser.analyse("what about kalbajar", history)
    assert set(q.names) == {term("Kalbajar")} and q.kind == "date"
    assert q.predicate == analyser.analyse(history[0]).predicate - {term("Agdam")}
    # a follow-up that asks something else of the same subject keeps its own kind
    other = analyser.analyse("and what did azerbaijan think of that", ["how many people lived in kalbajar"])
    assert other.kind == "other" and term("Kalbajar") in other.names


def test_giving_something_back_is_returning_it(analyser: QuestionAnalyser) -> None:
    """Readers 'give the district back'; the sources 'return' it. The reason for declining still quotes the
    reader's words."""
    from app.text import concepts

    (returned,) = set(concepts("returned"))
    q = analyser.analyse("when did armenia have to give the district back")
    assert returned in q.predicate and len(q.predicate) == 2  # 'return' and 'district'
    assert "give the district back" in q.words_of.values()
    assert set(concepts("they gave it back")) == {returned}


@pytest.mark.parametrize(
    ("question", "asks_for"),
    [
        ("how old was rustam muradov when he took command", "an age"),
        ("at what age did aliyev become president", "an age"),
        ("what time of day was the ganja strike", "a time of day"),
        ("at what hour did the shooting start", "a time of day"),
        ("what were the names of the three soviet soldiers killed in kirovabad", "their names"),
        ("names of the two azerbaijani men killed near askeran", "their names"),
        ("how much did russia spend on the peacekeeping mission", "a sum of money"),
        ("what was the minsk group's annual budget", "a sum of money"),
        ("how long in km was the line of contact", "a length"),
        ("how long is the hakari bridge", "a length"),
        ("what percentage did kocharyan win in the 1998 runoff", "a percentage"),
        ("how much of the district did armenians hold", ""),
        ("how long was the blockade of the lachin road", ""),
        ("whats kocharyan's wife called", "a spouse"),
        ("when was ilham aliyev born", "a birth"),
        ("what time period does the first war cover", ""),
        ("what are all the names agdam goes by", ""),
        ("how long did the old ceasefire hold", ""),
    ],
)
def test_what_kind_of_fact_a_question_asks_for(analyser: QuestionAnalyser, question: str, asks_for: str) -> None:
    assert analyser.analyse(question).asks_for == asks_for


@pytest.mark.parametrize(
    ("typed", "spelled"),
    [
        ("why did mutalibov resign in march 92", "why did mutalibov resign in march 1992"),
        ("how was stepanakert attacked from shusha in 91-92", "how was stepanakert attacked from shusha in 1991-1992"),
        ("losses in 1988-94", "losses in 1988-1994"),
        ("peacekeepers in 2022-23", "peacekeepers in 2022-2023"),
        ("who held the district after the 94 ceasefire", "who held the district after the 1994 ceasefire"),
        ("where did refugees go in the 90s", "where did refugees go in the 1990s"),
        ("a majority in 89 - what", "a majority in 1989 - what"),
        # numbers that count something stay numbers
        ("was the convoy of 19 trucks allowed", "was the convoy of 19 trucks allowed"),
        ("the deaths of 88 people", "the deaths of 88 people"),
    ],
)
def test_short_years_are_spelled_out(typed: str, spelled: str) -> None:
    from app.answering.question import normalise

    assert normalise(typed) == spelled


def test_a_short_year_is_a_year_of_the_question(analyser: QuestionAnalyser) -> None:
    q = analyser.analyse("why did ter-petrosyan resign in 98")
    assert q.years == (1998,) and "1998" in q.search_text
