"""The demo world of the embedded default: the personas of DESIGN.md.

Synthetic people with checksum-valid ID numbers of Hangzhou Xihu district
(330106). Dates that the story needs to be recent (a baby born this week, a
death two days ago, a retirement next month) are computed from ``today``, so
the world is the same story whatever day ``make run`` starts.

The development identity provider serves these people as its personas (the
``sub`` is the persona key), and the sample registry serves their government
records, so a login and a prefill always agree.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, timedelta

from bff.core.clock import china_today
from bff.core.idnumber import make_id_number
from bff.core.prefill import school_entry_year

REGION = "330106"


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    name_en: str
    sex: str
    born: date
    mobile: str
    roles: tuple[str, ...] = ("resident",)
    department: str | None = None
    sequence: int = 1
    description_zh: str = ""
    description_en: str = ""
    can_log_in: bool = True
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def id_number(self) -> str:
        return make_id_number(REGION, self.born, self.sequence)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def personas(today: date | None = None) -> list[Persona]:
    """Everyone in the demo world, residents first, then staff and officers."""
    today = today or china_today()
    retiree_born = _add_months(today, 1).replace(year=_add_months(today, 1).year - 60, day=8)
    return [
        Persona("zhangwei", "张伟", "Zhang Wei", "male", date(1992, 3, 15), "13800000001", sequence=131,
                description_zh="新生儿父亲，宝宝本周出生", description_en="Father of a baby born this week"),
        Persona("wangfang", "王芳", "Wang Fang", "female", date(1994, 7, 20), "13800000002", sequence=242,
                description_zh="新生儿母亲", description_en="Mother of the newborn"),
        Persona("lijianguo", "李建国", "Li Jianguo", "male", retiree_born, "13800000003", sequence=351,
                description_zh="企业职工，下月到达退休年龄", description_en="Employee reaching retirement age next month"),
        Persona("chenguohua", "陈国华", "Chen Guohua", "male", date(1946, 9, 2), "13800000004", sequence=411,
                description_zh="两天前在医院去世", description_en="Died in hospital two days ago",
                can_log_in=False, extra={"died": today - timedelta(days=2)}),
        Persona("liuxiuying", "刘秀英", "Liu Xiuying", "female", date(1946, 11, 18), "13800000005", sequence=422,
                description_zh="陈国华的妻子，80岁", description_en="Chen Guohua's wife, 80"),
        Persona("chenming", "陈明", "Chen Ming", "male", date(1972, 5, 6), "13800000006", sequence=433,
                description_zh="陈国华之子，在上海异地办理", description_en="Chen Guohua's son, handling it from Shanghai"),
        Persona("chenli", "陈丽", "Chen Li", "female", date(1975, 10, 30), "13800000007", sequence=444,
                description_zh="陈国华之女，共同办理人", description_en="Chen Guohua's daughter, co-handler"),
        Persona("huangjianping", "黄建平", "Huang Jianping", "male", date(1980, 4, 12), "13800000008", sequence=455,
                roles=("resident", "community_agent"), description_zh="社区网格员，登记的代办员",
                description_en="Community grid worker, a registered agent who helps elderly residents"),
        Persona("zhoumin", "周敏", "Zhou Min", "female", date(1990, 1, 12), "13900000001", sequence=502,
                roles=("staff",), description_zh="客服人员", description_en="Service-desk staff"),
        *[
            Persona(f"officer-{code}", name, f"Officer ({en})", "male" if i % 2 else "female",
                    date(1985, 1 + i, 10), f"139000001{i:02d}", sequence=600 + i * 2 + (1 if i % 2 else 0),
                    roles=("officer",), department=code,
                    description_zh=f"{zh}窗口工作人员", description_en=f"Officer, {en}")
            for i, (code, name, zh, en) in enumerate(DEPARTMENT_OFFICERS, start=1)
        ],
        Persona("admin", "管理员", "Administrator", "male", date(1980, 6, 1), "13900000099", sequence=991,
                roles=("admin",), description_zh="系统管理员", description_en="Administrator"),
        *_assistance_medical_elderly_veterans(today),
    ]


def _assistance_medical_elderly_veterans(today: date) -> list[Persona]:
    """Residents of the assistance, medical, old-age, veterans and insurance-transfer bundles, and the
    veterans-affairs officer (ID sequences 750–799, mobiles 13800000201–249)."""
    return [
        Persona("wuxiulan", "吴秀兰", "Wu Xiulan", "female", date(1978, 6, 21), "13800000201", sequence=752,
                description_zh="单亲母亲，家庭收入低于低保标准，孩子看病花费大",
                description_en="A single mother on a low income, with high medical bills for her son"),
        Persona("sunjianhua", "孙建华", "Sun Jianhua", "male", date(1958, 3, 9), "13800000202", sequence=753,
                description_zh="退休职工，患糖尿病，将去上海女儿家长住",
                description_en="Retired, diabetic, moving to live with his daughter in Shanghai"),
        Persona("wanglei", "王磊", "Wang Lei", "male", date(2003, 8, 14), "13800000203", sequence=755,
                description_zh="上周退役的士兵，选择自主就业",
                description_en="A soldier discharged last week, finding his own job",
                extra={"discharged": today - timedelta(days=5)}),
        Persona("linxiaoyan", "林晓燕", "Lin Xiaoyan", "female", date(1991, 4, 27), "13800000204", sequence=756,
                description_zh="在上海参保十年，上月到杭州工作",
                description_en="Insured in Shanghai for ten years, working in Hangzhou since last month"),
        Persona("officer-veterans-affairs", "韩科员", "Officer (Veterans Affairs)", "female", date(1987, 9, 15),
                "13800000205", roles=("officer",), department="veterans-affairs", sequence=758,
                description_zh="退役军人事务窗口工作人员", description_en="Officer, Veterans Affairs"),
        *life_stage_personas(today),
    ]


DEPARTMENT_OFFICERS = [
    ("public-security", "赵警官", "公安", "Public Security"),
    ("health", "钱医生", "卫健", "Health"),
    ("civil-affairs", "孙科员", "民政", "Civil Affairs"),
    ("hrss", "李科员", "人社", "Human Resources & Social Security"),
    ("medical-insurance", "周科员", "医保", "Medical Insurance"),
    ("housing-fund", "吴科员", "公积金", "Housing Fund"),
    ("disabled-federation", "郑科员", "残联", "Disabled Persons' Federation"),
    ("traffic-police", "冯警官", "交警", "Traffic Police"),
]


# The demo world's one enrolled hall kiosk, so the kiosk journey shows a place on the phone.
DEMO_KIOSK_HALL = "西湖区市民之家 1楼"
DEMO_KIOSK_DEVICE = "自助机 A-01"


def demo_kiosk_credential(secret_key: str) -> str:
    """The demo kiosk's credential, derived from the deployment's secret key rather than written here:
    a credential in the source would let anyone who reads it pose as an enrolled kiosk."""
    return hmac.new(secret_key.encode(), b"onething demo kiosk credential", hashlib.sha256).hexdigest()


def persona(key: str, today: date | None = None) -> Persona:
    return next(p for p in personas(today) if p.key == key)


# ---- the life-stage bundles: school, work, marriage, home ------------------------------------

def life_stage_personas(today: date) -> list[Persona]:
    """A father whose daughter starts primary school, a graduate starting her first job, a couple with a
    marriage-registry booking and a buyer of a new flat; and the officers of the two new workbench departments."""
    child_born = date(school_entry_year(today) - 6, 3, 14)  # six by 31 August of the entry year
    return [
        Persona("sunlei", "孙磊", "Sun Lei", "male", date(1988, 6, 21), "13800000101", sequence=701,
                description_zh="女儿今年秋季上小学", description_en="His daughter starts primary school this autumn"),
        Persona("sunxiaoyu", "孙小雨", "Sun Xiaoyu", "female", child_born, "13800000102", sequence=702,
                description_zh="孙磊的女儿，6岁", description_en="Sun Lei's daughter, 6", can_log_in=False),
        Persona("linxiao", "林晓", "Lin Xiao", "female", date(2003, 4, 9), "13800000103", sequence=712,
                description_zh="应届毕业生，已办失业登记，下周入职",
                description_en="A new graduate, registered unemployed, starting a job next week"),
        Persona("liuyang", "刘洋", "Liu Yang", "male", date(1995, 2, 17), "13800000104", sequence=721,
                description_zh="已预约结婚登记，杭州户籍", description_en="Booked to register his marriage; Hangzhou hukou"),
        Persona("zhaojing", "赵静", "Zhao Jing", "female", date(1997, 8, 3), "13800000105", sequence=732,
                description_zh="刘洋的未婚妻，宁波户籍", description_en="Liu Yang's fiancée; Ningbo hukou"),
        Persona("wuhao", "吴浩", "Wu Hao", "male", date(1990, 11, 5), "13800000106", sequence=741,
                description_zh="刚签约购买新房，有公积金账户", description_en="Just signed for a new flat; housing fund account"),
        *[
            Persona(f"officer-{code}", name, f"Officer ({en})", sex, date(1986, month, 18), mobile, sequence=sequence,
                    roles=("officer",), department=code, description_zh=f"{zh}窗口工作人员", description_en=f"Officer, {en}")
            for code, name, zh, en, sex, month, mobile, sequence in LIFE_STAGE_OFFICERS
        ],
    ]


# The new departments an officer works on the workbench; the utilities answer through the simulator.
LIFE_STAGE_OFFICERS = [
    ("education", "何老师", "教育", "Education", "female", 3, "13800000148", 746),
    ("natural-resources", "许科员", "不动产登记", "Real Estate Registration", "male", 5, "13800000149", 747),
]
