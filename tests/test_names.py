from app.names import NameIndex

from .conftest import FIXTURES


def test_variants_expand_to_the_same_entity() -> None:
    names = NameIndex.load(FIXTURES / "names.yaml")
    assert [e.id for e in names.find("What happened in Xankəndi and Shushi?")] == ["stepanakert", "shusha"]
    expanded = names.expand("What happened in Khankendi?")
    assert "Stepanakert" in expanded and "Vararakn" in expanded and "Степанакерт" not in expanded


def test_longest_variant_wins_and_words_are_whole() -> None:
    names = NameIndex.load(FIXTURES / "names.yaml")
    assert [e.id for e in names.find("the Lachin corridor blockade")] == ["lachin-corridor"]
    assert [e.id for e in names.find("the town of Lachin")] == ["lachin"]
    assert names.find("Shushaville is not a place here") == []


def test_missing_file_means_no_expansion(tmp_path) -> None:  # noqa: ANN001
    names = NameIndex.load(tmp_path / "absent.yaml")
    assert names.expand("Stepanakert") == "Stepanakert"


def test_retrieval_with_any_variant_finds_the_same_passages(built, tmp_path) -> None:  # noqa: ANN001
    from app.explainer import Explainer

    built.names_file = FIXTURES / "names.yaml"
    explainer = Explainer(built)
    by_arm = [h.chunk.id for h in explainer.search("fuel depot explosion near Stepanakert", k=3)]
    by_aze = [h.chunk.id for h in explainer.search("fuel depot explosion near Xankəndi", k=3)]
    assert by_arm[0] == by_aze[0] and by_arm[0].startswith("exodus-2023")


def test_canonical_makes_variants_compare_equal() -> None:
    names = NameIndex.load(FIXTURES / "names.yaml")
    assert names.canonical("Khankendi").strip() == names.canonical("Stepanakert").strip()
    assert "entitystepanakert" in names.canonical("Talks in Xankəndi")


def test_canonical_keeps_the_words_of_an_agreement() -> None:
    """An agreement is described as often as named: its words stay beside its token to meet other phrasings."""
    from app.names import Entity

    names = NameIndex(
        [
            Entity("ceasefire-1994", "agreement", "Ceasefire of 12 May 1994", ["1994 ceasefire"]),
            Entity("shusha", "place", "Shusha / Shushi", ["Shusha", "Shushi"]),
        ]
    )
    assert names.canonical("the 1994 ceasefire").split() == ["the", "entityceasefire1994", "1994", "ceasefire"]
    assert names.canonical("in Shushi").split() == ["in", "entityshusha"]


def test_answers_give_both_names_of_a_contested_place() -> None:
    names = NameIndex.load(FIXTURES / "names.yaml")
    assert names.pair_names("Shusha fell on 8 May 1992. [1] Shusha was rebuilt. [2]") == (
        "Shusha (Shushi) fell on 8 May 1992. [1] Shusha was rebuilt. [2]"
    )
    assert names.pair_names("Armenian forces took Shushi. [1]") == "Armenian forces took Shushi (Shusha). [1]"
    assert names.pair_names("Khankendi's hospitals, Xankəndi") == "Khankendi's hospitals, Xankəndi (Stepanakert)"
    assert names.pair_names("Shusha's mosques. [1]") == "Shusha's (Shushi) mosques. [1]"
    unchanged = ["Stepanakert (Khankendi) was shelled.", "Shushi in Armenian usage, Shusha in Azerbaijani.",
                 "The Lachin corridor was closed."]
    for text in unchanged:
        assert names.pair_names(text) == text


def test_a_person_is_found_by_a_surname_no_one_else_has() -> None:
    from app.names import Entity, with_surnames

    names = NameIndex(with_surnames([
        Entity("robert-kocharyan", "person", "Robert Kocharyan", ["Robert Kocharyan", "Robert Kocharian"]),
        Entity("heydar-aliyev", "person", "Heydar Aliyev", ["Heydar Aliyev"]),
        Entity("ilham-aliyev", "person", "Ilham Aliyev", ["Ilham Aliyev"]),
        Entity("grigor-harutyunyan", "person", "Grigor Harutyunyan", ["Grigor Harutyunyan"]),
        Entity("shahumyan", "place", "Shahumyan", ["Shahumyan"]),
        Entity("stepan-shahumyan", "person", "Stepan Shahumyan", ["Stepan Shahumyan"]),
    ]))
    assert [e.id for e in names.find("what did kocharyan do, and kocharian")] == ["robert-kocharyan"]
    assert [e.id for e in names.find("what did harutyunyan do")] == ["grigor-harutyunyan"]
    assert names.find("what did aliyev say") == []  # two Aliyevs: the surname alone names neither
    assert [e.id for e in names.find("where is shahumyan")] == ["shahumyan"]  # the place keeps its name


def test_readers_initials_for_a_leader_find_him() -> None:
    """'ltp' is how many readers write Levon Ter-Petrosyan."""
    from app.config import Settings

    names = NameIndex.load(Settings().names_file)
    assert [e.id for e in names.find("ltp resignation date")] == ["levon-ter-petrosyan"]
    assert [e.id for e in names.find("was kocharyan in favour of ltp's plan")] == ["robert-kocharyan",
                                                                                    "levon-ter-petrosyan"]
