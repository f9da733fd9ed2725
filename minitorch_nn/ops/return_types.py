"""Named tuples that ops return, as torch's ``torch.return_types.*`` structseqs.

``torch.sort(x)`` returns ``torch.return_types.sort(values=..., indices=...)``: a tuple that
unpacks, indexes and also names its fields. One small class per op, made by ``named_result``.
"""

from __future__ import annotations

from typing import Any


class NamedResult(tuple):
    """A tuple with named fields that prints as torch's return types print."""

    kind = ""
    fields: tuple[str, ...] = ()
    n_fields = 0

    def __new__(cls, *items: Any) -> NamedResult:
        if len(items) != len(cls.fields):
            raise TypeError(f"torch.return_types.{cls.kind} takes a {len(cls.fields)}-sequence")
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self.fields, self))
        return f"torch.return_types.{self.kind}(\n{body})"

    def __reduce__(self) -> Any:
        return (type(self), tuple(self))


def named_result(kind: str, fields: tuple[str, ...] = ("values", "indices")) -> type[NamedResult]:
    """The result class of op ``kind`` with these field names (each one a property reading its slot)."""
    namespace: dict[str, Any] = {"kind": kind, "fields": fields, "n_fields": len(fields), "__slots__": ()}
    for i, name in enumerate(fields):
        namespace[name] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(kind, (NamedResult,), namespace)
    cls.__module__ = __name__
    globals()[kind] = cls  # found by name here, so results pickle
    return cls
