"""Residents for certificate tests and samples: a 9-member household, a foreign resident with every
item, long names and addresses, 異体字 names, partly unknown dates, removed records."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from app.certificates import Certifier, CertificateKind, CertificateRequest, ItemChoice
from app.certificates.certifier import DEFAULT_SETTINGS, CertifierSettings
from domain.change_reasons import ChangeReason
from domain.history import Change, ResidentDelta
from domain.record_dates import RecordDate
from domain.residents import (
    Address,
    ForeignCategory,
    ForeignResidentInfo,
    PersonName,
    Removal,
    Resident,
    ResidentKind,
    Sex,
    Status,
)
from tests.domain.factories import my_number, resident_code

ISSUED_ON = dt.date(2026, 12, 6)
HOME = Address("千葉県", "千葉市中央区", "本千葉町", "1番2号", "千葉本町ハイツ101号室", lg_code="121011")
CERTIFIER = CertifierSettings.load(DEFAULT_SETTINGS).certifier_on(ISSUED_ON)


def person(rid: str, family: str, given: str, family_kana: str, given_kana: str, birth, sex: Sex, rel: str,
           *, household: str = "H100", at: Address = HOME, n: int = 0, **extra) -> Resident:
    birth_date = birth if isinstance(birth, RecordDate) else (
        RecordDate.exact(birth) if isinstance(birth, dt.date) else RecordDate.parse(birth))
    values = dict(
        domicile="千葉県千葉市中央区千葉港1番地", domicile_head="髙橋　健太郎",
        resident_code=resident_code(f"{1234500000 + n:010d}"), my_number=my_number(f"{12345600000 + n:011d}"),
        previous_address=Address("東京都", "千代田区", "丸の内一丁目", "1番1号"),
    )
    values.update(extra)
    return Resident(
        resident_id=rid, household_id=household, kind=ResidentKind.JAPANESE,
        name=PersonName(family, given, family_kana, given_kana), birth_date=birth_date, sex=sex,
        relationship=rel, address=at, became_resident_on=RecordDate.exact(dt.date(2010, 4, 1)),
        address_set_on=dt.date(2010, 4, 1), notified_on=dt.date(2010, 4, 5), **values,
    )


def takahashi_household() -> tuple[Resident, ...]:
    """Nine members in the j1010 order: 世帯主, 妻, 子, 子, 子の妻, 子の子 ×2, 母, 同居人."""
    M, F = Sex.MALE, Sex.FEMALE
    return (
        person("R101", "髙橋", "健太郎", "タカハシ", "ケンタロウ", dt.date(1958, 3, 14), M, "世帯主", n=1),
        person("R102", "髙橋", "美智子", "タカハシ", "ミチコ", dt.date(1960, 11, 2), F, "妻", n=2,
               old_surname="渡邊", old_surname_kana="ワタナベ"),
        person("R103", "髙橋", "一郎", "タカハシ", "イチロウ", dt.date(1985, 6, 30), M, "子", n=3),
        person("R104", "髙橋", "由美", "タカハシ", "ユミ", dt.date(1988, 1, 5), F, "子", n=4),
        person("R105", "髙橋", "真理子", "タカハシ", "マリコ", dt.date(1986, 9, 9), F, "子の妻", n=5,
               related_to="R103", old_surname="齋藤", old_surname_kana="サイトウ"),
        person("R106", "髙橋", "翔", "タカハシ", "ショウ", dt.date(2014, 4, 21), M, "子の子", n=6, related_to="R103"),
        person("R107", "髙橋", "結衣", "タカハシ", "ユイ", dt.date(2019, 5, 1), F, "子の子", n=7, related_to="R103"),
        person("R108", "髙橋", "トメ", "タカハシ", "トメ", "昭和7年頃", F, "母", n=8,
               domicile_head="髙橋　トメ"),
        person("R109", "𠮷田", "花子", "ヨシダ", "ハナコ", dt.date(1999, 12, 31), F, "同居人", n=9,
               domicile="福岡県福岡市博多区博多駅前二丁目1番地", domicile_head="𠮷田　一"),
    )


def foreign_resident(**kw) -> Resident:
    values = dict(
        resident_id="R201", household_id="H200", kind=ResidentKind.FOREIGN,
        name=PersonName("張", "玉蓮", "チャン", "ユウリン"), birth_date=RecordDate.exact(dt.date(1990, 2, 3)),
        sex=Sex.FEMALE, relationship="世帯主",
        address=Address("千葉県", "千葉市美浜区", "高洲三丁目", "5番8号", "高洲第二マンション1203号室", lg_code="121061"),
        became_resident_on=RecordDate.exact(dt.date(2019, 10, 1)), address_set_on=dt.date(2019, 10, 1),
        notified_on=dt.date(2019, 10, 3), previous_address=Address("国外", "中華人民共和国"),
        alias="張本　玉子", alias_kana="ハリモト　タマコ",
        resident_code=resident_code("5550001112"), my_number=my_number("55500011122"),
        foreign=ForeignResidentInfo(
            nationality="中国", category=ForeignCategory.MID_LONG_TERM, alphabet_name="ZHANG YULIN",
            residence_status="技術・人文知識・国際業務", period_of_stay="5年", stay_expires_on=dt.date(2029, 9, 30),
            card_number="AB12345678CD", became_resident_on=RecordDate.exact(dt.date(2019, 10, 1)),
        ),
    )
    values.update(kw)
    return Resident(**values)


def long_names_resident() -> Resident:
    return person(
        "R301", "勅使河原", "左衛門三郎之助衛門太郎兵衛門", "テシガワラ", "サエモンサブロウノスケエモンタロウベエモン",
        dt.date(1970, 7, 7), Sex.MALE, "世帯主", household="H300", n=30,
        at=Address("千葉県", "千葉市花見川区", "幕張本郷一丁目", "2345番地の6789", "幕張本郷グランドパークタワーレジデンス・ザ・イースト・ウイング棟第三十二号館二十七階二千七百九号室", lg_code="121029"),
        domicile="北海道虻田郡倶知安町字比羅夫一番地の二十三号の四百五十六ニセコグランヒラフ東山温泉郷",
    )


def moved_out(r: Resident, *, on: dt.date = dt.date(2026, 12, 20)) -> Resident:
    destination = Address("東京都", "世田谷区", "三軒茶屋二丁目", "11番22号", "三軒茶屋コーポ305")
    return replace(r, status=Status.REMOVED,
                   removal=Removal(ChangeReason.MOVE_OUT_DOMESTIC.code, RecordDate.exact(on), destination))


def history_of(r: Resident) -> tuple[Change, ...]:
    """A 転居 then a 世帯主変更-like relationship change, as the register keeps them."""
    earlier = replace(r, address=Address("千葉県", "千葉市若葉区", "桜木北一丁目", "3番4号", lg_code="121045"),
                      relationship="子", version=1)
    moved = replace(earlier, address=r.address, version=2)
    now = replace(moved, relationship=r.relationship, version=3)
    return (
        Change("c-1", ChangeReason.MOVE_WITHIN, RecordDate.exact(dt.date(2015, 8, 1)), dt.date(2015, 8, 3),
               (ResidentDelta(r.resident_id, earlier, moved),)),
        Change("c-2", ChangeReason.HOUSEHOLDER_CHANGE, RecordDate.exact(dt.date(2020, 3, 1)), dt.date(2020, 3, 2),
               (ResidentDelta(r.resident_id, moved, now),)),
    )


def request(kind: CertificateKind, persons, *, items: ItemChoice | None = None, certifier: Certifier = CERTIFIER,
            householder: Resident | None = None, **kw) -> CertificateRequest:
    persons = tuple(persons)
    if householder is None:
        householder = next((p for p in persons if p.relationship == "世帯主"), None)
    return CertificateRequest(kind=kind, persons=persons, householder=householder, items=items or ItemChoice(),
                              certifier=certifier, **kw)


def overflowing_resident() -> Resident:
    """本籍 and 方書 far too long for their cells even at the smallest size (j1070)."""
    return person(
        "R401", "長谷川", "一", "ハセガワ", "ハジメ", dt.date(1980, 1, 1), Sex.MALE, "世帯主", household="H400", n=40,
        at=replace(HOME, building="千葉本町" + "グランドパークタワーレジデンス" * 14 + "101号室"),
        domicile="北海道" + "虻田郡倶知安町字比羅夫" * 20 + "1番地",
    )
