"""The built-in sample registry: the demo world's government data, served through the prefill ports.

Real data for the embedded default (not a mock): the people of :mod:`bff.demo`,
their hukou, families, a hospital birth and a hospital death, pension, medical
insurance, housing fund accounts and cards, a household means check, a care
assessment, a discharge record and insurance held in another city. Dates follow ``today`` so the story
is the same whatever day it runs (a baby born this week, a death two days ago,
a retirement next month). It implements every prefill port of
:mod:`bff.core.ports` with one object.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bff.core.clock import china_today
from bff.core.ports import (
    BirthRecord,
    Card,
    CareAssessment,
    DeathRecord,
    HouseholdMeans,
    HousingFundAccount,
    MarriageBooking,
    MedicalInsuranceAccount,
    PensionAccount,
    Person,
    PropertyRecord,
    Relative,
    SocialSecurityCard,
    UnemploymentRecord,
    VeteranRecord,
)
from bff.demo import Persona, personas

XIHU = "330106"
# People outside the demo world who share common newborn names (for the name-duplication check).
COMMON_NAMES = {"张子涵": 37, "张一诺": 21, "张梓萱": 58, "王梓轩": 112, "张欣怡": 96, "李子豪": 44}


def ref_of(id_number: str) -> str:
    """An opaque, stable registry reference (not reversible to the ID number without the registry)."""
    return "p-" + hashlib.sha256(("sample-registry:" + id_number).encode()).hexdigest()[:12]


def luhn_complete(prefix: str) -> str:
    """``prefix`` plus the Luhn check digit that makes it a valid card number."""
    total = 0
    for index, char in enumerate(reversed(prefix)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return prefix + str((10 - total % 10) % 10)


ADDRESSES = {
    "zhangwei": ("浙江省杭州市西湖区文三路100号3幢502室", XIHU, "文新街道学院路社区"),
    "wangfang": ("浙江省杭州市西湖区文三路100号3幢502室", XIHU, "文新街道学院路社区"),
    "lijianguo": ("浙江省杭州市西湖区天目山路58号2单元301室", XIHU, "西溪街道花园新村社区"),
    "chenguohua": ("浙江省杭州市西湖区保俶路12号1单元202室", XIHU, "北山街道保俶塔社区"),
    "liuxiuying": ("浙江省杭州市西湖区保俶路12号1单元202室", XIHU, "北山街道保俶塔社区"),
    "chenming": ("上海市浦东新区张杨路1500弄8号1101室", "310115", "潍坊新村街道"),
    "chenli": ("浙江省杭州市西湖区古墩路318号5幢1203室", XIHU, "蒋村街道紫金港社区"),
}
SPOUSES = {"zhangwei": "wangfang", "wangfang": "zhangwei", "chenguohua": "liuxiuying", "liuxiuying": "chenguohua"}
CHILDREN = {"chenguohua": ("chenming", "chenli"), "liuxiuying": ("chenming", "chenli")}
EMPLOYERS = {"zhangwei": "杭州云栖软件有限公司", "wangfang": "浙江西湖教育科技有限公司", "lijianguo": "杭州西湖电子设备有限公司",
             "chenguohua": "杭州第二棉纺织厂", "liuxiuying": "杭州丝绸印染厂", "chenming": "上海浦江物流有限公司",
             "chenli": "杭州市西湖区文化馆"}
BANKS = {"zhangwei": "中国工商银行杭州西湖支行", "wangfang": "中国建设银行杭州文三路支行",
         "lijianguo": "中国农业银行杭州天目山路支行",
         "liuxiuying": "杭州银行保俶支行", "chenming": "中国银行上海浦东分行", "chenli": "中国工商银行杭州古墩路支行",
         "chenguohua": "杭州银行保俶支行"}

# ---- the assistance, medical, old-age, veterans and insurance-transfer personas -------------------
ADDRESSES |= {
    "wuxiulan": ("浙江省杭州市西湖区翠苑一区22幢3单元101室", XIHU, "翠苑街道翠苑一区社区"),
    "sunjianhua": ("浙江省杭州市西湖区文一路76号4幢601室", XIHU, "文新街道德加社区"),
    "wanglei": ("浙江省杭州市西湖区灵隐路9号2单元402室", XIHU, "灵隐街道玉泉社区"),
    "linxiaoyan": ("浙江省杭州市西湖区三墩镇振华路200号7幢1102室", XIHU, "三墩镇振华社区"),
}
EMPLOYERS |= {"wuxiulan": "杭州翠苑家政服务部", "sunjianhua": "杭州通用机械厂", "wanglei": "中国人民解放军某部",
              "linxiaoyan": "杭州西溪数字科技有限公司"}
BANKS |= {"wuxiulan": "杭州联合农村商业银行翠苑支行", "sunjianhua": "中国建设银行杭州文一路支行",
          "wanglei": "中国农业银行杭州灵隐支行", "linxiaoyan": "招商银行杭州三墩支行"}


@dataclass
class SampleWorld:
    """Everything the registry holds, keyed by ID number."""

    persons: dict[str, Person] = field(default_factory=dict)
    relatives: dict[str, list[Relative]] = field(default_factory=dict)
    births: list[BirthRecord] = field(default_factory=list)
    deaths: dict[str, DeathRecord] = field(default_factory=dict)
    pensions: dict[str, PensionAccount] = field(default_factory=dict)
    medical: dict[str, MedicalInsuranceAccount] = field(default_factory=dict)
    cards: dict[str, SocialSecurityCard] = field(default_factory=dict)
    housing: dict[str, HousingFundAccount] = field(default_factory=dict)
    licences: dict[tuple[str, str], Card] = field(default_factory=dict)
    means: dict[str, HouseholdMeans] = field(default_factory=dict)
    assessments: dict[str, CareAssessment] = field(default_factory=dict)
    veterans: dict[str, VeteranRecord] = field(default_factory=dict)
    bookings: list[MarriageBooking] = field(default_factory=list)
    unemployment: dict[str, UnemploymentRecord] = field(default_factory=dict)
    properties: dict[str, list[PropertyRecord]] = field(default_factory=dict)


def build_world(today: date) -> SampleWorld:
    people = {p.key: p for p in personas(today) if p.key in ADDRESSES}
    world = SampleWorld()
    for key, who in people.items():
        world.persons[who.id_number] = _person(who, people)
        world.relatives[who.id_number] = _relatives(key, people)
        _accounts(world, key, who, today)
    mother = people["wangfang"]
    world.births.append(BirthRecord(f"FCK{today - timedelta(days=2):%Y%m%d}0017", "浙江大学医学院附属妇产科医院",
                                    today - timedelta(days=2), "female", 3350, 39, "vaginal", mother.id_number, mother.name))
    died: date = people["chenguohua"].extra["died"]  # type: ignore[assignment]
    deceased = people["chenguohua"].id_number
    world.deaths[deceased] = DeathRecord(f"SW{died:%Y%m%d}0042", deceased, died, "hospital",
                                         "浙江大学医学院附属第一医院", "disease")
    world.licences[(deceased, "driving-licence")] = Card("driving-licence", "330100087421")
    world.licences[(deceased, "senior-card")] = Card("senior-card", "ZJLN3301060411")
    world.licences[(people["liuxiuying"].id_number, "senior-card")] = Card("senior-card", "ZJLN3301060422")
    _entitlement_records(world, people, today)
    add_life_stage_people(world, today)
    return world


def _entitlement_records(world: SampleWorld, people: dict[str, Persona], today: date) -> None:
    """Means check, care assessment, discharge record, a chronic disease and insurance held in another city."""
    mother = people["wuxiulan"].id_number  # she and her son (a student): 1,800 yuan a month, 15,000 in medical bills
    world.means[mother] = HouseholdMeans(2, 1800, 12000, 0, 0, 15000, today - timedelta(days=20))
    world.assessments[people["liuxiuying"].id_number] = CareAssessment("moderate", today - timedelta(days=40),
                                                                      "PG3301060422")
    retiree = people["sunjianhua"].id_number
    world.medical[retiree] = replace(world.medical[retiree], chronic_condition="糖尿病")
    soldier = people["wanglei"]
    discharged: date = soldier.extra["discharged"]  # type: ignore[assignment]
    world.veterans[soldier.id_number] = VeteranRecord(f"TY{discharged:%Y}3301060093", discharged, 24, "self-employment",
                                                      "东部战区陆军某旅")
    for accounts in (world.pensions, world.medical, world.housing):  # his insurance is the army's until transferred
        accounts.pop(soldier.id_number, None)
    mover = people["linxiaoyan"].id_number
    world.pensions[mover] = replace(world.pensions[mover], employer="上海陆家嘴金融服务有限公司", insured_region="310115",
                                    insured_in="上海市浦东新区")
    world.medical[mover] = replace(world.medical[mover], insured_region="310115", insured_in="上海市浦东新区")


def _person(who: Persona, people: dict[str, Persona]) -> Person:
    address, region, community = ADDRESSES[who.key]
    spouse = people.get(SPOUSES.get(who.key, ""))
    died = who.extra.get("died")
    return Person(ref_of(who.id_number), who.id_number, who.name, who.sex, who.born, "han", who.mobile, address, region,
                  community, "married" if spouse or who.key == "lijianguo" else "unmarried",
                  spouse.id_number if spouse else None, died if isinstance(died, date) else None)


def _relatives(key: str, people: dict[str, Persona]) -> list[Relative]:
    links = [(SPOUSES.get(key), "spouse")] + [(child, "child") for child in CHILDREN.get(key, ())]
    links += [(parent, "parent") for parent, children in CHILDREN.items() if key in children]
    links += [(sibling, "sibling") for children in CHILDREN.values() if key in children for sibling in children if sibling != key]
    result, seen = [], set()
    for other, relation in links:
        if other and other not in seen and other in people:
            seen.add(other)
            who = people[other]
            died = who.extra.get("died")
            result.append(Relative(ref_of(who.id_number), relation, who.name, who.id_number,
                                   died if isinstance(died, date) else None, ADDRESSES[other][0] == ADDRESSES[key][0]))
    return result


def _accounts(world: SampleWorld, key: str, who: Persona, today: date) -> None:
    number = who.id_number
    retired = who.born.year < 1960
    months = max(0, min(480, (today.year - who.born.year - 22) * 12))
    retirement = who.born.replace(year=who.born.year + 60) if key == "lijianguo" else None
    world.pensions[number] = PensionAccount(f"YL{number[-10:]}", EMPLOYERS[key], months + (12 if key == "lijianguo" else 0),
                                            retirement, "normal", in_payment=retired,
                                            maternity_insured=who.sex == "female" and not retired)
    world.medical[number] = MedicalInsuranceAccount(f"YB{number[-10:]}", "employee", months)
    world.cards[number] = SocialSecurityCard(f"S{number[-8:]}", BANKS[key], luhn_complete(f"62220{number[-13:]}"), who.name)
    if not retired and key != "chenming":
        world.housing[number] = HousingFundAccount(f"GJJ{number[-9:]}", EMPLOYERS[key])


class SampleRegistry:
    """Every prefill port over the sample world, rebuilt when the day changes."""

    name = "sample"

    def __init__(self, today: date | None = None) -> None:
        self._fixed = today
        self._day: date | None = None
        self._world = SampleWorld()

    @property
    def world(self) -> SampleWorld:
        day = self._fixed or china_today()
        if day != self._day:
            self._world, self._day = build_world(day), day
        return self._world

    # PopulationRegistry
    def person(self, id_number: str) -> Person | None:
        return self.world.persons.get(id_number.upper())

    def person_by_ref(self, ref: str) -> Person | None:
        return next((p for p in self.world.persons.values() if p.ref == ref), None)

    def relatives(self, id_number: str) -> list[Relative]:
        return list(self.world.relatives.get(id_number.upper(), []))

    def count_named(self, name: str) -> int:
        return COMMON_NAMES.get(name, 0) + sum(1 for p in self.world.persons.values() if p.name == name)

    # MedicalRecords
    def births_to(self, parent_id_number: str) -> list[BirthRecord]:
        parent = self.person(parent_id_number)
        ids = {parent_id_number.upper(), parent.spouse_id_number if parent else None}
        mothers = {p.id_number for p in self.world.persons.values() if p.id_number in ids or p.spouse_id_number in ids}
        return sorted((b for b in self.world.births if b.mother_id_number in mothers), key=lambda b: b.born, reverse=True)

    def death_record(self, id_number: str) -> DeathRecord | None:
        return self.world.deaths.get(id_number.upper())

    # SocialInsurance
    def pension_account(self, id_number: str) -> PensionAccount | None:
        return self.world.pensions.get(id_number.upper())

    def medical_insurance(self, id_number: str) -> MedicalInsuranceAccount | None:
        return self.world.medical.get(id_number.upper())

    def social_security_card(self, id_number: str) -> SocialSecurityCard | None:
        return self.world.cards.get(id_number.upper())

    # Licences
    def card(self, id_number: str, kind: str) -> Card | None:
        return self.world.licences.get((id_number.upper(), kind))

    # HousingFund
    def account(self, id_number: str) -> HousingFundAccount | None:
        return self.world.housing.get(id_number.upper())

    # CivilAffairs
    def household_means(self, id_number: str) -> HouseholdMeans | None:
        return self.world.means.get(id_number.upper())

    def care_assessment(self, id_number: str) -> CareAssessment | None:
        return self.world.assessments.get(id_number.upper())

    # VeteransAffairs
    def veteran(self, id_number: str) -> VeteranRecord | None:
        return self.world.veterans.get(id_number.upper())
    # The life-stage bundles: PopulationRegistry.marriage_booking, SocialInsurance.unemployment_registration,
    # RealEstate
    def marriage_booking(self, id_number: str) -> MarriageBooking | None:
        number = id_number.upper()
        return next((b for b in self.world.bookings if number in (b.first_id_number, b.second_id_number)), None)

    def unemployment_registration(self, id_number: str) -> UnemploymentRecord | None:
        return self.world.unemployment.get(id_number.upper())

    def properties(self, id_number: str) -> list[PropertyRecord]:
        return list(self.world.properties.get(id_number.upper(), []))


# ---- the life-stage bundles' people: school, work, marriage, home ----------------------------
HAISHU = "330203"
# key: (hukou address, region, community, employer, bank of the social security card)
LIFE_STAGE_PEOPLE = {
    "sunlei": ("浙江省杭州市西湖区古荡街道嘉绿苑东区6幢1单元402室", XIHU, "古荡街道嘉绿苑社区",
               "杭州西溪数智科技有限公司", "招商银行杭州西湖支行"),
    "sunxiaoyu": ("浙江省杭州市西湖区古荡街道嘉绿苑东区6幢1单元402室", XIHU, "古荡街道嘉绿苑社区", None, None),
    "linxiao": ("浙江省杭州市西湖区留下街道屏峰社区屏基山路9号2幢301室", XIHU, "留下街道屏峰社区", None,
                "中国邮政储蓄银行杭州留下支行"),
    "liuyang": ("浙江省杭州市西湖区翠苑街道翠苑一区12幢3单元201室", XIHU, "翠苑街道翠苑一区社区",
                "浙江之江建设工程有限公司", "中国建设银行杭州翠苑支行"),
    "zhaojing": ("浙江省宁波市海曙区鼓楼街道公园路88号5幢602室", HAISHU, "鼓楼街道公园路社区",
                 "杭州文三路口腔医院有限公司", "宁波银行杭州分行"),
    "wuhao": ("浙江省杭州市西湖区文新街道竞舟路219号7幢1503室", XIHU, "文新街道德加社区",
              "杭州紫金港物联网有限公司", "中国工商银行杭州文新支行"),
}
NEW_FLAT = "浙江省杭州市西湖区三墩镇振华路298号云栖蝶苑3幢2单元1101室"


def add_life_stage_people(world: SampleWorld, today: date) -> None:
    """The registry's side of the four life-stage stories, consistent with their personas."""
    people = {p.key: p for p in personas(today) if p.key in LIFE_STAGE_PEOPLE}
    for key, who in people.items():
        address, region, community, employer, bank = LIFE_STAGE_PEOPLE[key]
        world.persons[who.id_number] = Person(ref_of(who.id_number), who.id_number, who.name, who.sex, who.born, "han",
                                              who.mobile, address, region, community, "unmarried")
        if bank:
            world.cards[who.id_number] = SocialSecurityCard(f"S{who.id_number[-8:]}", bank,
                                                            luhn_complete(f"62220{who.id_number[-13:]}"), who.name)
        if employer:  # employees: pension, employee medical insurance, housing fund
            months = (today.year - who.born.year - 22) * 12
            world.pensions[who.id_number] = PensionAccount(f"YL{who.id_number[-10:]}", employer, months, None,
                                                           maternity_insured=who.sex == "female")
            world.medical[who.id_number] = MedicalInsuranceAccount(f"YB{who.id_number[-10:]}", "employee", months)
            world.housing[who.id_number] = HousingFundAccount(f"GJJ{who.id_number[-9:]}", employer)
    _family_of_sun(world, people["sunlei"], people["sunxiaoyu"])
    _graduate(world, people["linxiao"], today)
    liuyang, zhaojing = people["liuyang"].id_number, people["zhaojing"].id_number
    world.bookings.append(MarriageBooking(f"HY{today:%Y%m%d}0031", "杭州市西湖区婚姻登记处",
                                          today + timedelta(days=10), liuyang, zhaojing))
    buyer = people["wuhao"].id_number
    world.properties[buyer] = [PropertyRecord(f"杭西网签{today.year}0045871", "contracted", NEW_FLAT, XIHU, "89.37",
                                              "杭州云栖置业有限公司", today - timedelta(days=30), 3_860_000)]


def _family_of_sun(world: SampleWorld, father: Persona, daughter: Persona) -> None:
    """A father and his daughter in the home he owns, where both have their hukou."""
    world.relatives[father.id_number] = [Relative(ref_of(daughter.id_number), "child", daughter.name, daughter.id_number)]
    world.relatives[daughter.id_number] = [Relative(ref_of(father.id_number), "parent", father.name, father.id_number)]
    world.medical[daughter.id_number] = MedicalInsuranceAccount(f"YB{daughter.id_number[-10:]}", "resident", 60)
    world.properties[father.id_number] = [PropertyRecord("浙（2019）杭州市不动产权第0087654号", "registered",
                                                         LIFE_STAGE_PEOPLE["sunlei"][0], XIHU, "92.16")]


def _graduate(world: SampleWorld, graduate: Persona, today: date) -> None:
    """A student until this summer: resident medical insurance, no pension account yet, registered unemployed."""
    world.medical[graduate.id_number] = MedicalInsuranceAccount(f"YB{graduate.id_number[-10:]}", "resident", 48)
    world.unemployment[graduate.id_number] = UnemploymentRecord(f"SY{graduate.id_number[-8:]}{today.year}",
                                                                today - timedelta(days=120), "西湖区公共就业服务中心")
