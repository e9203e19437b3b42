"""Notifications to JSON-safe dicts and back, for drafts, the wire and the journal (no JSON library here).

    d = notification_to_dict(MoveIn(...))   # {"kind": "MoveIn", "persons": [...], "moved_on": "2025-05-20", ...}
    notification_from_dict(d) == MoveIn(...)

The shape follows the dataclasses: `"kind"` is the class name, then every field by its name. Values:

* str, int, bool, None as they are; a tuple as a list; a Mapping as an object;
* a date as ISO text "YYYY-MM-DD";
* a RecordDate (記録上の年月日) as {"record_date": "<storage form>"} — tagged, so that in a field
  typed `date | RecordDate` a calendar day ("2025-05-20") and an exact RecordDate
  ({"record_date": "2025-05-20"}) come back as what they were;
* an enum by its value (Sex 1, ResidentKind "japanese"); an enum whose values are not plain text or
  numbers by its `code` when it has one (ChangeReason "C03", the j210 code the records use);
* a nested dataclass (NewPerson, PersonName, Address, ForeignResidentInfo…) as an object of all of
  its fields;
* a value typed `Any` (ExOfficioCorrection.changes) as itself when it is text, a number, a bool or
  None, otherwise tagged with its type: {"date": "1990-01-11"}, {"record_date": "1990-01-??/early"},
  {"Sex": 2}, {"Address": {...}}. The types that may be tagged are those of a notification's and a
  resident record's items (a correction's values are record items).

Decoding walks the same types (typing.get_type_hints of each dataclass), so a new kind in KINDS
works without an edit here. Anything wrong — not an object, an unknown kind, a missing or unknown
item, a wrong type, a date that cannot be read, an unknown enum value — gives a ValidationError
that lists every problem, each naming its item by a dotted path (`persons.0.name.family_kana`,
`relationships.R003`) with a Japanese message. Fields with a default may be left out.

The domain's own validators name list items `persons[0].name`; the paths here are dotted — one
function (`_join`) makes them.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import enum
import re
import types
import typing
from functools import cache
from typing import Any, Callable, NamedTuple, Union

from domain.errors import FieldError, ValidationError
from domain.notifications import KINDS
from domain.notifications.common import Notification
from domain.record_dates import DateError, RecordDate
from domain.residents import Resident

__all__ = ["KIND_NAMES", "notification_to_dict", "notification_from_dict"]

KIND_NAMES: dict[str, type[Notification]] = {k.__name__: k for k in KINDS}

_NONE = type(None)
_BAD = object()  # a value that could not be decoded (its problems are already recorded)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RECORD_DATE_TAG = "record_date"
_MAPPINGS = (collections.abc.Mapping, dict)
_ENUM_LIST_LIMIT = 10  # an enum with at most this many members lists them in its error message


# --- the type table --------------------------------------------------------------------------------
# Every type a notification may hold, and how it is written. Leaves are written by `_LEAVES`; the
# containers (Optional/Union, tuple, Mapping, Any), enums and dataclasses by `_encode`/`_decode`.


class _Refused(Exception):
    """A leaf decoder's refusal: the Japanese message for the item at hand."""


class _Leaf(NamedTuple):
    is_value: Callable[[object], bool]  # a Python value of this type (exact: no bool for int…)
    is_json: Callable[[object], bool]  # a JSON value that could stand for one
    encode: Callable[[Any], object]
    decode: Callable[[object, str], Any]  # raises _Refused
    label: str  # what to give, in 「…を指定してください」


def _date_decode(raw: object, name: str) -> dt.date:
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise _Refused(f"項目 {name} の日付の形式が正しくありません")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _Refused(f"項目 {name} の日付の形式が正しくありません") from None


def _record_date_decode(raw: object, name: str) -> RecordDate:
    if not (isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get(_RECORD_DATE_TAG), str)):
        raise _Refused(f"項目 {name} の形式が正しくありません（記録上の年月日を指定してください）")
    try:
        return RecordDate.from_storage(raw[_RECORD_DATE_TAG])
    except DateError as e:
        raise _Refused(f"項目 {name} の日付の形式が正しくありません（{e.message}）") from None


def _as_is(raw: object, name: str) -> object:
    return raw


_LEAVES: dict[Any, _Leaf] = {
    str: _Leaf(lambda v: type(v) is str, lambda r: isinstance(r, str), str, _as_is, "文字列"),
    int: _Leaf(lambda v: type(v) is int, lambda r: type(r) is int, int, _as_is, "整数"),
    bool: _Leaf(lambda v: type(v) is bool, lambda r: type(r) is bool, bool, _as_is, "true 又は false"),
    dt.date: _Leaf(
        lambda v: type(v) is dt.date, lambda r: isinstance(r, str), dt.date.isoformat, _date_decode,
        "日付（YYYY-MM-DD）",
    ),
    RecordDate: _Leaf(
        lambda v: type(v) is RecordDate, lambda r: isinstance(r, dict),
        lambda v: {_RECORD_DATE_TAG: v.to_storage()}, _record_date_decode,
        "記録上の年月日",
    ),
}
# The tag of a leaf inside an `Any` value ({"date": …}); RecordDate's own form is already tagged.
_LEAF_TAGS: dict[str, Any] = {"date": dt.date, _RECORD_DATE_TAG: RecordDate}
_PLAIN_JSON = (str, int, bool, _NONE)  # `Any` values written as they are (exact types)


def _enum_out(member: enum.Enum) -> object:
    value = member.value
    if type(value) in (str, int):
        return value
    code = getattr(member, "code", None)
    return code if type(code) is str else member.name


@cache
def _enum_members(cls: type[enum.Enum]) -> dict[tuple[type, object], enum.Enum]:
    return {(type(_enum_out(m)), _enum_out(m)): m for m in cls}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _init_fields(cls: type) -> tuple[dataclasses.Field, ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.init)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _is_dataclass(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _tuple_items(tp: Any) -> tuple[Any, ...] | None:
    """(X, ...) for tuple[X, ...], (X, Y) for tuple[X, Y]; None when `tp` is no tuple type."""
    if typing.get_origin(tp) is not tuple:
        return None
    return typing.get_args(tp)


def _join(path: str, key: object) -> str:
    key = key if isinstance(key, str) else _show(key)
    return f"{path}.{key}" if path else key


def _name(path: str) -> str:
    return path or "届出"


# --- encoding --------------------------------------------------------------------------------------


def _encode(value: object, tp: Any, path: str) -> object:
    if tp is Any:
        return _encode_any(value, path)
    if tp is _NONE:
        if value is None:
            return None
    elif _is_union(tp):
        for arm in typing.get_args(tp):
            if _is_instance(value, arm):
                return _encode(value, arm, path)
    elif (items := _tuple_items(tp)) is not None:
        if isinstance(value, (tuple, list)):
            if len(items) == 2 and items[1] is Ellipsis:
                return [_encode(v, items[0], _join(path, i)) for i, v in enumerate(value)]
            if len(items) == len(value):
                return [_encode(v, t, _join(path, i)) for i, (v, t) in enumerate(zip(value, items))]
    elif typing.get_origin(tp) in _MAPPINGS:
        if isinstance(value, collections.abc.Mapping) and all(type(k) is str for k in value):
            value_type = typing.get_args(tp)[1]
            return {k: _encode(v, value_type, _join(path, k)) for k, v in value.items()}
    elif tp in _LEAVES:
        if _LEAVES[tp].is_value(value):
            return _LEAVES[tp].encode(value)
    elif _is_enum(tp):
        if isinstance(value, tp):
            return _enum_out(value)
    elif _is_dataclass(tp):
        if type(value) is tp:
            hints = _hints(tp)
            return {f.name: _encode(getattr(value, f.name), hints[f.name], _join(path, f.name)) for f in _init_fields(tp)}
    raise TypeError(f"{_name(path)}: a {type(value).__name__} cannot be written as {tp}")


def _encode_any(value: object, path: str) -> object:
    if type(value) in _PLAIN_JSON:
        return value
    tag = _ANY_TAG_OF.get(type(value))
    if tag is None:
        raise TypeError(f"{_name(path)}: a {type(value).__name__} has no JSON form here")
    encoded = _encode(value, type(value), path)
    return encoded if tag == _RECORD_DATE_TAG else {tag: encoded}


def _is_instance(value: object, tp: Any) -> bool:
    """Whether `value` is of type `tp` (deep enough to pick the arm of a union)."""
    if tp is Any:
        return True
    if tp is _NONE:
        return value is None
    if _is_union(tp):
        return any(_is_instance(value, arm) for arm in typing.get_args(tp))
    if _tuple_items(tp) is not None:
        return isinstance(value, (tuple, list))
    if typing.get_origin(tp) in _MAPPINGS:
        return isinstance(value, collections.abc.Mapping)
    if tp in _LEAVES:
        return _LEAVES[tp].is_value(value)
    if _is_enum(tp):
        return isinstance(value, tp)
    return type(value) is tp


# --- decoding --------------------------------------------------------------------------------------


def _json_fits(raw: object, tp: Any) -> bool:
    """Whether the JSON value `raw` has the shape `tp` is written in (picks a union's arm)."""
    if tp is Any:
        return True
    if tp is _NONE:
        return raw is None
    if _is_union(tp):
        return any(_json_fits(raw, arm) for arm in typing.get_args(tp))
    if tp in _LEAVES:
        return _LEAVES[tp].is_json(raw)
    if _tuple_items(tp) is not None:
        return isinstance(raw, list)
    if _is_enum(tp):
        return type(raw) in {t for t, _ in _enum_members(tp)}
    return isinstance(raw, dict)  # a Mapping or a dataclass


def _label(tp: Any) -> str:
    if tp is Any:
        return "値"
    if _is_union(tp):
        return "又は".join(dict.fromkeys(_label(a) for a in typing.get_args(tp) if a is not _NONE))
    if _tuple_items(tp) is not None:
        return "配列"
    if tp in _LEAVES:
        return _LEAVES[tp].label
    if _is_enum(tp):
        values = [v for _, v in _enum_members(tp)]
        if len(values) <= _ENUM_LIST_LIMIT:
            return "・".join(str(v) for v in values) + " のいずれか"
        return "決められた値"
    return "オブジェクト"


def _show(raw: object) -> str:
    """A JSON value as a message shows it (short; never fails)."""
    if isinstance(raw, str):
        return raw if len(raw) <= 40 else raw[:40] + "…"
    if raw is None or isinstance(raw, bool):
        return {None: "null", True: "true", False: "false"}[raw]
    if isinstance(raw, int):
        return str(raw) if abs(raw) < 10**40 else "桁数の多い整数"  # str() refuses > 4300 digits
    if isinstance(raw, float):
        return repr(raw)
    return {dict: "オブジェクト", list: "配列"}.get(type(raw), type(raw).__name__)


class _Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str) -> object:
        self.errors.append(FieldError(path, message))
        return _BAD

    def wrong_type(self, path: str, tp: Any) -> object:
        return self.add(path, f"項目 {_name(path)} の形式が正しくありません（{_label(tp)}を指定してください）")


def _decode(raw: object, tp: Any, path: str, p: _Problems) -> object:
    if tp is Any:
        return _decode_any(raw, path, p)
    if tp is _NONE:
        return None if raw is None else p.wrong_type(path, tp)
    if _is_union(tp):
        return _decode_union(raw, tp, path, p)
    if not _json_fits(raw, tp):
        return p.wrong_type(path, tp)
    if (items := _tuple_items(tp)) is not None:
        return _decode_tuple(raw, items, path, p)  # type: ignore[arg-type]
    if typing.get_origin(tp) in _MAPPINGS:
        value_type = typing.get_args(tp)[1]
        out = {}
        for k, v in raw.items():  # type: ignore[union-attr]
            if not isinstance(k, str):
                p.add(_join(path, k), f"項目 {_name(path)} のキーは文字列にしてください")
                continue
            out[k] = _decode(v, value_type, _join(path, k), p)
        return _BAD if any(v is _BAD for v in out.values()) or len(out) != len(raw) else out  # type: ignore[arg-type]
    if tp in _LEAVES:
        try:
            return _LEAVES[tp].decode(raw, _name(path))
        except _Refused as e:
            return p.add(path, str(e))
    if _is_enum(tp):
        member = _enum_members(tp).get((type(raw), raw))  # raw is a str or an int here: hashable
        return p.add(path, f"項目 {_name(path)} の値が正しくありません: {_show(raw)}") if member is None else member
    return _decode_dataclass(raw, tp, path, p)  # type: ignore[arg-type]


def _decode_union(raw: object, tp: Any, path: str, p: _Problems) -> object:
    arms = typing.get_args(tp)
    if raw is None:
        return None if _NONE in arms else p.wrong_type(path, tp)
    fitting = [a for a in arms if a is not _NONE and _json_fits(raw, a)]
    if not fitting:
        return p.wrong_type(path, tp)
    first_problems = None
    for arm in fitting:
        trial = _Problems()
        value = _decode(raw, arm, path, trial)
        if not trial.errors:
            return value
        first_problems = first_problems or trial
    p.errors.extend(first_problems.errors)  # type: ignore[union-attr]
    return _BAD


def _decode_tuple(raw: list, items: tuple[Any, ...], path: str, p: _Problems) -> object:
    if len(items) == 2 and items[1] is Ellipsis:
        types_ = [items[0]] * len(raw)
    elif len(items) != len(raw):
        return p.add(path, f"項目 {_name(path)} の要素の数が正しくありません（{len(items)}個を指定してください）")
    else:
        types_ = list(items)
    out = [_decode(v, t, _join(path, i), p) for i, (v, t) in enumerate(zip(raw, types_))]
    return _BAD if any(v is _BAD for v in out) else tuple(out)


def _decode_any(raw: object, path: str, p: _Problems) -> object:
    if type(raw) in _PLAIN_JSON:
        return raw
    if isinstance(raw, dict) and len(raw) == 1:
        (tag, inner), = raw.items()
        tp = _ANY_TAGS.get(tag) if isinstance(tag, str) else None
        if tp is None:
            return p.add(path, f"項目 {_name(path)} の値の種類が不明です: {_show(tag)}")
        return _decode(raw if tag == _RECORD_DATE_TAG else inner, tp, path, p)
    return p.add(path, f"項目 {_name(path)} の形式が正しくありません（文字列・数値・true/false・null 又は {{\"種類\": 値}} を指定してください）")


def _decode_dataclass(raw: dict, cls: type, path: str, p: _Problems) -> object:
    fields = {f.name: f for f in _init_fields(cls)}
    hints = _hints(cls)
    ok = True
    for key in raw:
        if key not in fields:
            p.add(_join(path, key), f"不明な項目です: {_join(path, key)}")
            ok = False
    values: dict[str, object] = {}
    for name, f in fields.items():
        if name in raw:
            values[name] = _decode(raw[name], hints[name], _join(path, name), p)
            ok = ok and values[name] is not _BAD
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            p.add(_join(path, name), f"項目 {_join(path, name)} がありません")
            ok = False
    if not ok:
        return _BAD
    try:
        return cls(**values)
    except (TypeError, ValueError) as e:  # a dataclass that checks itself in __post_init__
        message = getattr(e, "message", None) or str(e)
        return p.add(path, f"項目 {_name(path)} の内容が正しくありません（{message}）")


# --- which types there are -------------------------------------------------------------------------


def _walk(tp: Any, found: dict[type, None], where: str) -> None:
    """Check that `tp` is in the table (TypeError at import otherwise) and gather its enums and
    dataclasses (the types an `Any` value may carry)."""
    if tp is Any or tp is _NONE or tp in _LEAVES:
        return
    if _is_union(tp):
        for arm in typing.get_args(tp):
            _walk(arm, found, where)
    elif (items := _tuple_items(tp)) is not None:
        if not items or (Ellipsis in items and (len(items) != 2 or items[1] is not Ellipsis)):
            raise TypeError(f"{where}: unsupported tuple type {tp}")
        for item in items:
            if item is not Ellipsis:
                _walk(item, found, where)
    elif typing.get_origin(tp) in _MAPPINGS:
        key, value = typing.get_args(tp)
        if key is not str:
            raise TypeError(f"{where}: mapping keys must be str in {tp}")
        _walk(value, found, where)
    elif _is_enum(tp):
        found[tp] = None
        if len(_enum_members(tp)) != len(tp):
            raise TypeError(f"{where}: two members of {tp.__name__} are written the same")
    elif _is_dataclass(tp):
        if tp not in found:
            found[tp] = None
            for name, hint in _hints(tp).items():
                if name in {f.name for f in _init_fields(tp)}:
                    _walk(hint, found, f"{tp.__name__}.{name}")
    else:
        raise TypeError(f"{where}: no JSON form for the type {tp!r} (add it to the table in {__name__})")


def _types_in(roots: tuple[type, ...]) -> dict[type, None]:
    found: dict[type, None] = {}
    for root in roots:
        for f in _init_fields(root):
            _walk(_hints(root)[f.name], found, f"{root.__name__}.{f.name}")
    return found


for _kind in KINDS:
    if "kind" in {f.name for f in _init_fields(_kind)}:
        raise TypeError(f"{_kind.__name__} has a field named 'kind', which the JSON form uses for the kind")

_ANY_TAGS: dict[str, Any] = dict(_LEAF_TAGS)
for _tp in _types_in((*KINDS, Resident)):
    if _tp.__name__ in _ANY_TAGS:
        raise TypeError(f"two types are named {_tp.__name__}")
    _ANY_TAGS[_tp.__name__] = _tp
_ANY_TAG_OF: dict[Any, str] = {tp: tag for tag, tp in _ANY_TAGS.items()}


# --- public ----------------------------------------------------------------------------------------


def notification_to_dict(n: Notification) -> dict:
    """`n` as a JSON-safe dict: {"kind": <class name>, <field>: <value>, …} (every field).

    TypeError when `n` is not one of KINDS or holds a value its field's type has no form for
    (a programming error: notifications built by the forms hold what their fields say).
    """
    cls = type(n)
    if KIND_NAMES.get(cls.__name__) is not cls:
        raise TypeError(f"not a notification kind: {cls.__name__}")
    body = _encode(n, cls, "")
    return {"kind": cls.__name__, **body}  # type: ignore[dict-item]


def notification_from_dict(d: object) -> Notification:
    """The notification `d` (from notification_to_dict, possibly through JSON) stands for.

    Raises ValidationError — never anything else — for any value that is not one, listing every
    problem with its dotted path and a Japanese message.
    """
    if not isinstance(d, dict):
        raise ValidationError([FieldError("", f"届出の内容がJSONオブジェクトではありません（{_show(d)}）")])
    if "kind" not in d:
        raise ValidationError([FieldError("kind", "届出の種類（kind）がありません")])
    kind = d["kind"]
    cls = KIND_NAMES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError([FieldError("kind", f"届出の種類が不明です: {_show(kind)}")])
    p = _Problems()
    value = _decode_dataclass({k: v for k, v in d.items() if k != "kind"}, cls, "", p)
    if p.errors or value is _BAD:
        raise ValidationError(p.errors or [FieldError("", "届出の内容が正しくありません")])
    return value  # type: ignore[return-value]
