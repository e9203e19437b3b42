"""The resident search service over the cache (住民検索): j320–j340, ranked, logged.

Every search and every view writes an access-log entry in the same transaction. Results never
carry the My Number: `reveal_my_number` returns it and logs that it was shown.
"""
from __future__ import annotations

import json

import orjson
from dataclasses import dataclass, replace
from typing import Callable

from sqlalchemy import text

from app.store.access_log import AccessLog
from app.store.cache import Cache
from app.store.register_store import FLAG_SUPPORT_MEASURE, FLAG_SUPPRESSED, RegisterStore
from domain.codec import resident_from_dict
from domain.residents import Resident
from domain.search_criteria import SearchCriteria, SearchPlan, plan_search
from domain.search_index import UNKNOWN_BIRTH_KEY

MAX_RESULTS = 100
CANDIDATE_LIMIT = 2000
TOP = "\U0010ffff"

SOURCE_LABELS = {
    "current": "氏名",
    "old_surname": "旧氏",
    "alias": "通称",
    "alphabet": "氏名（アルファベット）",
    "history": "過去の氏名",
}
SOURCE_SCORE = {"current": 50, "old_surname": 40, "alias": 40, "alphabet": 45, "history": 30}


@dataclass(frozen=True)
class SearchHit:
    """One result row: the record (My Number removed), how it matched, and its marks."""

    resident: Resident
    score: int
    matched_by: str  # Japanese: 氏名 / 旧氏 / 通称 / 過去の氏名 / 過去の住所 / 住民票コード …
    suppressed: bool  # 抑止
    support_measure: bool  # 支援措置

    @property
    def marks(self) -> str:
        return "".join(m for m, on in (("【支援措置】", self.support_measure), ("【抑止】", self.suppressed)) if on)


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    truncated: bool  # more matched than are shown: narrow the search


@dataclass(frozen=True)
class Operator:
    """Who is searching, on which terminal, and their own ward (the default of the ward field)."""

    operator_id: str
    terminal_id: str
    ward_code: str


class SearchService:
    def __init__(self, cache: Cache, operator: Operator, *, log: AccessLog | None = None):
        self.cache = cache
        self.operator = operator
        self.log = log or AccessLog(cache.subkey("access-log"))

    # -- search -----------------------------------------------------------------------------
    def search(self, criteria: SearchCriteria) -> SearchResult:
        plan = plan_search(criteria, own_ward=self.operator.ward_code)
        with self.cache.engine.begin() as conn:
            candidates = self._candidates(conn, plan)
            hits = self._rank(conn, plan, candidates)
            truncated = len(hits) > MAX_RESULTS
            hits = hits[:MAX_RESULTS]
            self.log.append(
                conn,
                operator=self.operator.operator_id,
                terminal=self.operator.terminal_id,
                action="search",
                detail={"criteria": {k: v for k, v in criteria.__dict__.items() if v not in ("", None, False, True, "prefix")}, "results": len(hits)},
            )
        return SearchResult(tuple(hits), truncated)

    def _candidates(self, conn, p: SearchPlan) -> dict[str, str]:
        """resident_id → how it matched, from the most selective index the plan allows."""
        if p.resident_id:
            return {p.resident_id: "宛名番号"}
        if p.resident_code:
            rows = conn.execute(text("SELECT resident_id FROM residents WHERE resident_code = :v"), {"v": p.resident_code})
            return {r[0]: "住民票コード" for r in rows}
        if p.my_number:
            rows = conn.execute(text("SELECT resident_id FROM residents WHERE my_number = :v"), {"v": p.my_number})
            return {r[0]: "個人番号" for r in rows}
        if p.name_key:
            return self._name_candidates(conn, p)
        if p.birth_keys or p.birth_range:
            where, params = self._birth_where(p)
            rows = conn.execute(
                text(f"SELECT resident_id FROM name_keys WHERE source = 'current' AND {where} LIMIT :lim"),
                {**params, "lim": CANDIDATE_LIMIT},
            )
            return {r[0]: "生年月日" for r in rows}
        return self._address_candidates(conn, p, None)

    @staticmethod
    def _birth_where(p: SearchPlan) -> tuple[str, dict]:
        """Exact keys or the range asked for, or a partly known birth date that could be in it."""
        if not (p.birth_keys or p.birth_range):
            return "1", {}
        params = {"plo": p.partial_birth_range[0], "phi": p.partial_birth_range[1], "punknown": UNKNOWN_BIRTH_KEY}
        if p.birth_keys:
            params["b0"] = p.birth_keys[0]
            asked = "birth_key = :b0"
        else:
            params.update(blo=p.birth_range[0], bhi=p.birth_range[1])
            asked = "birth_key BETWEEN :blo AND :bhi"
        return f"({asked} OR birth_key BETWEEN :plo AND :phi OR birth_key = :punknown)", params

    def _name_candidates(self, conn, p: SearchPlan) -> dict[str, str]:
        col = p.name_column  # chosen by plan_search from a fixed set of column names
        if p.name_partial:
            where = " OR ".join(f"instr({col}, :k{i}) > 0" for i in range(len(p.name_partial)))
            where, params = f"({where})", {f"k{i}": k for i, k in enumerate(p.name_partial)}
        elif p.name_exact:
            where, params = f"{col} = :k", {"k": p.name_key}
        else:
            where, params = f"{col} >= :k AND {col} < :k_hi", {"k": p.name_key, "k_hi": p.name_key + TOP}
        bwhere, bparams = self._birth_where(p)
        rows = conn.execute(
            text(f"SELECT resident_id, source, {col} FROM name_keys WHERE {where} AND {bwhere} LIMIT :lim"),
            {**params, **bparams, "lim": CANDIDATE_LIMIT},
        )
        found: dict[str, str] = {}
        for rid, source, key in rows:
            label = source + ("=" if key == p.name_key else "")
            prev = found.get(rid)
            if prev is None or self._source_score(label) > self._source_score(prev):
                found[rid] = label
        if p.address_key:
            return self._address_candidates(conn, p, found)
        return found

    @staticmethod
    def _source_score(label: str) -> int:
        return SOURCE_SCORE.get(label.rstrip("="), 0) + (20 if label.endswith("=") else 0)

    def _address_candidates(self, conn, p: SearchPlan, within: dict[str, str] | None) -> dict[str, str]:
        rows = conn.execute(
            text("SELECT resident_id, source FROM address_keys WHERE address_key >= :k AND address_key < :k_hi LIMIT :lim"),
            {"k": p.address_key, "k_hi": p.address_key + TOP, "lim": CANDIDATE_LIMIT * 5},
        )
        by_address = {}
        for rid, source in rows:
            if by_address.get(rid) != "current":
                by_address[rid] = source
        if within is None:
            return {rid: ("住所" if s == "current" else "過去の住所") for rid, s in by_address.items()}
        return {rid: label for rid, label in within.items() if rid in by_address}

    def _rank(self, conn, p: SearchPlan, candidates: dict[str, str]) -> list[SearchHit]:
        if not candidates:
            return []
        ids = list(candidates)
        rows = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            names = ", ".join(f":i{j}" for j in range(len(chunk)))
            rows += conn.execute(
                text(f"SELECT resident_id, status, ward_code, sex, birth_key, flags, record FROM residents WHERE resident_id IN ({names})"),
                {f"i{j}": v for j, v in enumerate(chunk)},
            ).all()
        hits = []
        for rid, status, ward, sex, bkey, flags, record in rows:
            if p.ward and ward != p.ward:
                continue
            if not p.include_removed and status != "current":
                continue
            if p.sex is not None and sex != p.sex:
                continue
            resident = resident_from_dict(orjson.loads(record))
            if p.birth_first is not None and not resident.birth_date.overlaps(p.birth_first, p.birth_last):
                continue
            label = candidates[rid]
            score = self._source_score(label) if label.rstrip("=") in SOURCE_SCORE else 90
            score += 5 if status == "current" else 0
            score += 3 if ward == self.operator.ward_code else 0
            matched = SOURCE_LABELS.get(label.rstrip("="), label)
            hits.append(
                SearchHit(
                    replace(resident, my_number=""),
                    score,
                    matched,
                    bool(flags & FLAG_SUPPRESSED),
                    bool(flags & FLAG_SUPPORT_MEASURE),
                )
            )
        hits.sort(key=lambda h: (-h.score, h.resident.name.full_kana, h.resident.birth_date.sort_key(), h.resident.resident_id))
        return hits

    # -- viewing ------------------------------------------------------------------------------
    def view(self, resident_id: str) -> Resident | None:
        """The record for the resident screen (My Number removed); logged."""
        with self.cache.engine.begin() as conn:
            resident = RegisterStore(conn).resident(resident_id)
            self.log.append(
                conn,
                operator=self.operator.operator_id,
                terminal=self.operator.terminal_id,
                action="view",
                resident_id=resident_id,
                detail={"found": resident is not None},
            )
        return None if resident is None else replace(resident, my_number="")

    def reveal_my_number(self, resident_id: str, *, purpose: str) -> str:
        """The My Number, for a clerk who asked to see it; the reveal and its purpose are logged."""
        with self.cache.engine.begin() as conn:
            resident = RegisterStore(conn).resident(resident_id)
            number = resident.my_number if resident else ""
            self.log.append(
                conn,
                operator=self.operator.operator_id,
                terminal=self.operator.terminal_id,
                action="reveal_my_number",
                resident_id=resident_id,
                detail={"purpose": purpose},
                my_number_shown=bool(number),
            )
        return number

    def verify_log(self):
        with self.cache.engine.connect() as conn:
            return self.log.verify(conn)
