"""Enumerations whose members carry the words a person reads: `Unit.PIECE.label` → "buah (pcs)".

A member is declared with its stored value and its (lazily translated) label side by side, so a new value can
never be added without its words:

    class ProductStatus(LabelledEnum):
        DRAFT = "draft", _l("Draft")
"""

from enum import StrEnum
from typing import Any


class LabelledEnum(StrEnum):
    _label: Any

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> str:
        """The label in the reader's language."""
        return str(self._label)

    @property
    def lazy_label(self):
        """The label still to be translated: for forms and tables built once, read in each request's language."""
        return self._label

    @classmethod
    def labels(cls) -> dict:
        return {member: member.lazy_label for member in cls}

    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]
