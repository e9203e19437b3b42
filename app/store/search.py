"""The resident search service over the cache (住民検索): j320–j340, ranked, logged.

Every search and every view writes an access-log entry in the same transaction. Results never
carry the My Number: `reveal_my_number` returns it and logs that it was shown.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


from app.store.access_log import AccessLog
from app.store.cache import Cache
from app.store.register_store import FLAG_SUPPORT_MEASURE, FLAG_SUPPRESSED, RegisterStore
from domain.residents import Resident
from domain.search_criteria import SearchCriteria, SearchPlan, plan_search
from domain.search_index import birth_key_ranges

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
        with self.cache.writer.begin() as conn:
            hits = self._hits(conn, plan, self._matches(conn, plan))
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

    def _matches(self, conn, p: SearchPlan) -> list[tuple]:
        """(resident_id, label, status, ward, birth_key, flags) of every match, from the most
        selective index the plan allows, with the ward/status/sex filters applied in SQL.
        Only fixed column names from plan_search are put into the SQL text; values are bound."""
        params: dict = {"lim": CANDIDATE_LIMIT}
        filters = []
        if p.ward:
            filters.append("r.ward_code = :ward")
            params["ward"] = p.ward
        if not p.include_removed:
            filters.append("r.status = 'current'")
        if p.sex is not None:
            filters.append("r.sex = :sex")
            params["sex"] = p.sex
        columns = "r.resident_id, {label}, r.status, r.ward_code, r.birth_key, r.flags"
        for number, column, label in (
            (p.resident_id, "resident_id", "宛名番号"),
            (p.resident_code, "resident_code", "住民票コード"),
            (p.my_number, "my_number", "個人番号"),
        ):
            if number:
                params.update(v=number, label=label)
                where = " AND ".join([f"r.{column} = :v", *filters])
                sql = f"SELECT {columns.format(label=':label')} FROM residents r WHERE {where}"
                return conn.exec_driver_sql(sql, params).all()
        if p.address_key:
            params.update(ak=p.address_key, ak_hi=p.address_key + TOP)
        address_range = "a.address_key >= :ak AND a.address_key < :ak_hi"
        if p.name_key:
            col = f"n.{p.name_column}"
            if p.name_partial:
                where = "(" + " OR ".join(f"instr({col}, :k{i}) > 0" for i in range(len(p.name_partial))) + ")"
                params.update({f"k{i}": k for i, k in enumerate(p.name_partial)})
            elif p.name_exact:
                where = f"{col} = :k"
            else:
                where = f"{col} >= :k AND {col} < :k_hi"
            params.update(k=p.name_key, k_hi=p.name_key + TOP)
            conditions = [where, self._birth_where(p, params), *filters]
            if p.address_key:
                conditions.append(f"EXISTS (SELECT 1 FROM address_keys a WHERE a.resident_id = n.resident_id AND {address_range})")
            label = f"n.source || CASE WHEN {col} = :k THEN '=' ELSE '' END"
            # A day of birth (tens of people) narrows far more than any name prefix; the planner
            # cannot see that through the bound values, so it is told.
            hint = " INDEXED BY ix_name_birth" if p.birth_first is not None and p.birth_first == p.birth_last else ""
            sql = (
                f"SELECT {columns.format(label=label)} FROM name_keys n{hint} JOIN residents r ON r.resident_id = n.resident_id "
                f"WHERE {' AND '.join(conditions)} LIMIT :lim"
            )
        elif p.birth_first is not None:
            conditions = ["n.source = 'current'", self._birth_where(p, params), *filters]
            params["label"] = "生年月日"
            sql = (
                f"SELECT {columns.format(label=':label')} FROM name_keys n JOIN residents r ON r.resident_id = n.resident_id "
                f"WHERE {' AND '.join(conditions)} LIMIT :lim"
            )
        else:
            label = "CASE a.source WHEN 'current' THEN '住所' ELSE '過去の住所' END"
            sql = (
                f"SELECT {columns.format(label=label)} FROM address_keys a JOIN residents r ON r.resident_id = a.resident_id "
                f"WHERE {' AND '.join([address_range, *filters])} LIMIT :lim"
            )
        return conn.exec_driver_sql(sql, params).all()

    @staticmethod
    def _birth_where(p: SearchPlan, params: dict) -> str:
        """The day or range asked for, or a partly known birth date that could be in it."""
        if p.birth_first is None:
            return "1"
        keys = birth_key_ranges(p.birth_first, p.birth_last)
        params.update(blo=keys.exact[0], bhi=keys.exact[1], plo=keys.partial[0], phi=keys.partial[1], punknown=keys.unknown)
        return "(n.birth_key BETWEEN :blo AND :bhi OR n.birth_key BETWEEN :plo AND :phi OR n.birth_key = :punknown)"

    @staticmethod
    def _score(label: str, status: str, ward: str, own_ward: str) -> int:
        source = label.rstrip("=")
        base = SOURCE_SCORE[source] + (20 if label.endswith("=") else 0) if source in SOURCE_SCORE else 90
        return base + (5 if status == "current" else 0) + (3 if ward == own_ward else 0)

    def _hits(self, conn, p: SearchPlan, matches: list[tuple]) -> list[SearchHit]:
        """Best match per resident, ranked; only the records shown are read and decoded."""
        best: dict[str, tuple] = {}
        own = self.operator.ward_code
        for rid, label, status, ward, bkey, flags in matches:
            entry = (-self._score(label, status, ward, own), rid, label, flags, bkey.startswith("P"))
            if rid not in best or entry < best[rid]:
                best[rid] = entry
        ranked = sorted(best.values())
        hits: list[SearchHit] = []
        store = RegisterStore(conn)
        for i in range(0, len(ranked), MAX_RESULTS + 1):
            page = ranked[i : i + MAX_RESULTS + 1]
            records = store.residents_by_id(rid for _, rid, *_ in page)
            for neg_score, rid, label, flags, partial_birth in page:
                resident = records[rid]
                if partial_birth and p.birth_first is not None and not resident.birth_date.overlaps(p.birth_first, p.birth_last):
                    continue  # a vague birth date near, but not covering, what was asked
                hits.append(
                    SearchHit(
                        replace(resident, my_number=""),
                        -neg_score,
                        SOURCE_LABELS.get(label.rstrip("="), label),
                        bool(flags & FLAG_SUPPRESSED),
                        bool(flags & FLAG_SUPPORT_MEASURE),
                    )
                )
            if len(hits) > MAX_RESULTS:
                break
        hits.sort(key=lambda h: (-h.score, h.resident.name.full_kana, h.resident.birth_date.sort_key(), h.resident.resident_id))
        return hits

    # -- viewing ------------------------------------------------------------------------------
    def view(self, resident_id: str) -> Resident | None:
        """The record for the resident screen (My Number removed); logged."""
        with self.cache.writer.begin() as conn:
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
        with self.cache.writer.begin() as conn:
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
