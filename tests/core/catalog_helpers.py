"""Records as the data sources would return them, for core tests (no services, no adapters)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bff.core import forms
from bff.core.catalog import default_catalog
from bff.core.idnumber import make_id_number
from bff.core.ports import (
    BirthRecord,
    Card,
    CareAssessment,
    DeathRecord,
    HouseholdMeans,
    HousingFundAccount,
    MedicalInsuranceAccount,
    PensionAccount,
    Person,
    SocialSecurityCard,
    VeteranRecord,
)
from bff.core.prefill import Records, facts_of, prefill_values

TODAY = date(2026, 11, 26)
ADDRESS = "浙江省杭州市西湖区文三路100号3幢502室"


def person(name: str, sex: str, born: date, sequence: int, **extra: object) -> Person:
    number = make_id_number("330106", born, sequence)
    return Person(f"p-{sequence}", number, name, sex, born, "han", "13800000001", ADDRESS, "330106", "文新街道", **extra)  # type: ignore[arg-type]


def card(holder: str) -> SocialSecurityCard:
    return SocialSecurityCard("S1", "中国工商银行杭州西湖支行", "6222021234567890128", holder)


def newborn_records(**changes: object) -> Records:
    father = person("张伟", "male", date(1992, 3, 15), 131, marital_status="married")
    mother = person("王芳", "female", date(1994, 7, 20), 242, marital_status="married", spouse_id_number=father.id_number)
    father = replace(father, spouse_id_number=mother.id_number)
    birth = BirthRecord("FCK0017", "浙江大学医学院附属妇产科医院", TODAY - timedelta(days=2), "female", 3350, 39, "vaginal",
                        mother.id_number, mother.name)
    records = Records(applicant=father, relation="father", birth=birth, mother=mother, father=father,
                      mother_pension=PensionAccount("YL2", "浙江西湖教育", 96, None, maternity_insured=True),
                      payee_card=card(mother.name))
    return replace(records, **changes)  # type: ignore[arg-type]


def retiree_records(**changes: object) -> Records:
    retiree = person("李建国", "male", date(1966, 12, 8), 351, marital_status="married")
    records = Records(applicant=retiree, subject=retiree, relation="self",
                      pension=PensionAccount("YL3", "杭州西湖电子", 468, date(2026, 12, 8)),
                      medical_insurance=MedicalInsuranceAccount("YB3", "employee", 456),
                      housing_fund=HousingFundAccount("GJJ3", "杭州西湖电子"), payee_card=card(retiree.name))
    return replace(records, **changes)  # type: ignore[arg-type]


def deceased_records(**changes: object) -> Records:
    son = person("陈明", "male", date(1972, 5, 6), 433)
    wife = person("刘秀英", "female", date(1946, 11, 18), 422, marital_status="married")
    died = TODAY - timedelta(days=2)
    deceased = person("陈国华", "male", date(1946, 9, 2), 411, marital_status="married", spouse_id_number=wife.id_number,
                      died=died)
    records = Records(applicant=son, subject=deceased, relation="child", spouse=wife,
                      death=DeathRecord("SW0042", deceased.id_number, died, "hospital", "浙大一院", "disease"),
                      pension=PensionAccount("YL1", "杭州第二棉纺织厂", 480, None, in_payment=True),
                      medical_insurance=MedicalInsuranceAccount("YB1", "employee", 480),
                      cards={"driving-licence": Card("driving-licence", "330100087421"),
                             "senior-card": Card("senior-card", "ZJLN1")},
                      payee_card=card(son.name))
    return replace(records, **changes)  # type: ignore[arg-type]


def form_for(bundle_code: str, records: Records) -> forms.CombinedForm:
    catalog = default_catalog()
    return forms.build_form(catalog, catalog.bundle(bundle_code), facts_of(records), prefill_values(records))


RECORDS = {"birth": newborn_records, "retirement": retiree_records, "after-death": deceased_records}

TYPED = {  # what a resident answers by hand in each bundle's demo case
    "birth": {"subject.name": "张子涵", "subject.hukou_choice": "father", "delivery.method": "electronic",
              "consent.data_sharing": True, "consent.declaration": True},
    "retirement": {"delivery.method": "post", "consent.data_sharing": True, "consent.declaration": True},
    "after-death": {"subject.funeral_home": "hangzhou", "subject.cremation_date": TODAY.isoformat(),
                    "family.dependants": "spouse", "consent.declaration": True},
}


# ---- assistance, medical, old age, veterans, insurance transfer: an applicant about themselves ----

def self_records(name: str, born: date, sequence: int, **changes: object) -> Records:
    who = person(name, "male" if sequence % 2 else "female", born, sequence)
    records = Records(applicant=who, subject=who, relation="self", payee_card=card(name), as_of=TODAY,
                      medical_insurance=MedicalInsuranceAccount("YB7", "employee", 120))
    return replace(records, **changes)  # type: ignore[arg-type]


def assistance_records(**changes: object) -> Records:
    means = HouseholdMeans(2, 1800, 12000, 0, 0, 15000)  # 900 a month each, 15,000 in medical bills
    return self_records("吴秀兰", date(1978, 6, 21), 752, **({"household_means": means} | changes))


def treatment_records(**changes: object) -> Records:
    medical = MedicalInsuranceAccount("YB8", "employee", 400, chronic_condition="糖尿病")
    return self_records("孙建华", date(1958, 3, 9), 753, **({"medical_insurance": medical} | changes))


def elderly_records(**changes: object) -> Records:
    assessed = CareAssessment("moderate", TODAY - timedelta(days=40), "PG1")
    held = {"senior-card": Card("senior-card", "ZJLN1")}
    return self_records("刘秀英", date(1946, 11, 18), 422, **({"care_assessment": assessed, "cards": held} | changes))


def veteran_records(**changes: object) -> Records:
    veteran = VeteranRecord("TY1", TODAY - timedelta(days=5), 24, "self-employment")
    return self_records("王磊", date(2003, 8, 14), 755, **({"veteran": veteran, "medical_insurance": None} | changes))


def mover_records(**changes: object) -> Records:
    shanghai = {"insured_region": "310115", "insured_in": "上海市浦东新区"}
    accounts = {"pension": PensionAccount("YL9", "上海陆家嘴金融服务有限公司", 156, None, **shanghai),  # type: ignore[arg-type]
                "medical_insurance": MedicalInsuranceAccount("YB9", "employee", 156, **shanghai)}
    return self_records("林晓燕", date(1991, 4, 27), 756, **(accounts | changes))


RECORDS |= {"social-assistance": assistance_records, "treatment-elsewhere": treatment_records,
            "old-age-benefits": elderly_records, "veteran-resettlement": veteran_records,
            "insurance-transfer": mover_records}
CONSENTS = {"consent.data_sharing": True, "consent.declaration": True}
TYPED |= {
    "social-assistance": {"subject.hardship_reason": "illness", **CONSENTS},
    "treatment-elsewhere": {"subject.filing_type": "long-term-resident", "subject.destination_city": "上海市浦东新区",
                            **CONSENTS},
    "old-age-benefits": CONSENTS,
    "veteran-resettlement": {"delivery.method": "electronic", **CONSENTS},
    "insurance-transfer": CONSENTS,
}
