"""Rules of entitlement that shared data decides (pure, no IO).

- :func:`check_means`: the household means check (家庭经济状况核对) behind the subsistence
  allowance (最低生活保障) and spending-type temporary assistance (支出型临时救助).
- :func:`age_on` and :data:`OLD_AGE_ALLOWANCE_AGE`: the old-age allowance (高龄津贴) is a right of age.
- :func:`needs_care_subsidy`: the elderly-care subsidy follows an assessed loss of ability.
- :func:`insured_elsewhere`: an insurance record held in another city is one to transfer.

Thresholds are parameters: each city publishes its own standard (and raises it most years),
so the figures here are the demo world's, not a statement of any city's current policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bff.core.ports import HouseholdMeans
from bff.core.text import Text

HANGZHOU = "3301"  # the first four digits of the administrative codes of the city the app serves
OLD_AGE_ALLOWANCE_AGE = 80
CARE_SUBSIDY_LEVELS = frozenset({"moderate", "severe"})  # 中度、重度失能


@dataclass(frozen=True)
class MeansStandard:
    """A city's subsistence standard and the property limits that go with it."""

    monthly_per_person: int  # yuan: the subsistence standard (低保标准) per person per month
    asset_months: int = 24  # financial assets per person may not exceed this many months of the standard
    max_homes: int = 1  # more homes than this is property beyond basic need
    max_vehicles: int = 0  # a private car (not a disability vehicle) is property beyond basic need
    hardship_share: float = 0.5  # self-paid medical costs above this share of a year's income: spending hardship


# The demo world's standard (yuan per person per month); a deployment sets its city's figure.
DEMO_STANDARD = MeansStandard(monthly_per_person=1300)


@dataclass(frozen=True)
class MeansCheck:
    """The outcome of the check, with a reason for every limit the household is over."""

    income_per_person: int
    below_standard: bool
    within_property_limits: bool
    spending_hardship: bool
    problems: tuple[Text, ...]

    @property
    def eligible(self) -> bool:
        """Eligible for the subsistence allowance: low income and no property beyond basic need."""
        return self.below_standard and self.within_property_limits


def check_means(household: HouseholdMeans, standard: MeansStandard = DEMO_STANDARD) -> MeansCheck:
    """The means check: income per person against the standard, then property, then spending."""
    if household.members < 1:
        raise ValueError("a household has at least one member")
    per_person = household.monthly_income // household.members
    property_problems = _property_problems(household, standard)
    income_problems = []
    if per_person >= standard.monthly_per_person:
        income_problems.append(Text(f"家庭月人均收入{per_person}元，不低于低保标准{standard.monthly_per_person}元。",
                                    f"Monthly income per person is {per_person} yuan, not below the standard of "
                                    f"{standard.monthly_per_person} yuan."))
    yearly_income = household.monthly_income * 12
    hardship = household.medical_self_paid > 0 and household.medical_self_paid > standard.hardship_share * yearly_income
    return MeansCheck(per_person, not income_problems, not property_problems, hardship,
                      tuple(income_problems + property_problems))


def _property_problems(household: HouseholdMeans, standard: MeansStandard) -> list[Text]:
    problems = []
    asset_limit = standard.monthly_per_person * standard.asset_months * household.members
    if household.financial_assets > asset_limit:
        problems.append(Text(f"家庭金融资产超过{asset_limit}元的限额。",
                             f"Financial assets exceed the limit of {asset_limit} yuan."))
    if household.homes > standard.max_homes:
        problems.append(Text(f"家庭拥有{household.homes}套住房。", f"The household owns {household.homes} homes."))
    if household.vehicles > standard.max_vehicles:
        problems.append(Text("家庭拥有机动车辆。", "The household owns a motor vehicle."))
    return problems


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day`` (a birthday on 29 February counts from 1 March in other years)."""
    before_birthday = (day.month, day.day) < (born.month, born.day)
    return day.year - born.year - (1 if before_birthday else 0)


def needs_care_subsidy(level: str | None) -> bool:
    """The elderly-care subsidy is for those assessed as moderately or severely unable to care for themselves."""
    return level in CARE_SUBSIDY_LEVELS


def insured_elsewhere(region: str | None) -> bool:
    """An insurance record held under another city's code (None: held here)."""
    return region is not None and not region.startswith(HANGZHOU)
