"""Masking rules for personal data in responses."""

from bff.core.pii import mask_address, mask_field, mask_id_number, mask_mobile


def test_an_id_number_keeps_its_region_and_last_four():
    assert mask_id_number("330106199203151314") == "330106********1314"


def test_a_mobile_keeps_its_prefix_and_last_four():
    assert mask_mobile("13800000006") == "138****0006"


def test_an_address_keeps_only_its_district():
    assert mask_address("浙江省杭州市西湖区文三路90号3幢") == "浙江省杭州市西湖区****"
    assert mask_address("上海市浦东新区世纪大道100号") == "上海市浦东新区****"
    assert mask_address("杭州市西湖区文三路90号翠苑小区") == "杭州市西湖区****"


def test_an_address_without_a_district_keeps_only_two_characters():
    assert mask_address("文三路90号") == "文三****"


def test_mask_field_masks_only_the_types_asked_for():
    assert mask_field("mobile", "13800000006") == "138****0006"
    assert mask_field("mobile", "13800000006", types=("id_number",)) == "13800000006"
    assert mask_field("text", "hello") == "hello"
    assert mask_field("address", None) is None
