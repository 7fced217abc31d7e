"""Answering: question + retrieved `Hit`s -> a cited `Answer`, or an abstention with its reason.

`make_answerer` builds the configured backend by name: `extractive` (no model) or an LLM backend whose
output is verified sentence by sentence against the passages it cites.
"""

from app.answering.answer import ABSTAIN_MESSAGE, Answer, Citation
from app.answering.base import Answerer
from app.answering.registry import BACKENDS, make_answerer

__all__ = ["ABSTAIN_MESSAGE", "BACKENDS", "Answer", "Answerer", "Citation", "make_answerer"]
