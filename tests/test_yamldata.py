"""YAML data files parse the same by the fast loader as by PyYAML's safe one, and stay safe."""

import datetime as dt

import pytest
import yaml

from app import yamldata
from app.config import PROJECT_ROOT


@pytest.mark.parametrize("name", ["claims.yaml", "names.yaml", "timeline.yaml"])
def test_the_corpus_data_files_parse_as_safe_load_parses_them(name: str) -> None:
    text = (PROJECT_ROOT / "corpus" / "data" / name).read_text(encoding="utf-8")
    assert yamldata.loads(text) == yaml.safe_load(text)


def test_dates_and_accents_come_back_as_safe_load_gives_them() -> None:
    text = "date: 2023-09-19\nname: Şuşa\nvalue: 1,960\n"
    assert yamldata.loads(text) == yaml.safe_load(text) == {
        "date": dt.date(2023, 9, 19), "name": "Şuşa", "value": "1,960"}


def test_python_tags_are_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        yamldata.loads("!!python/object/apply:os.system ['true']")


def test_bad_yaml_raises_the_yaml_error_callers_catch() -> None:
    with pytest.raises(yaml.YAMLError):
        yamldata.loads("title: [unclosed")
