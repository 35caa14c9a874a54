import pytest

from core.kernel.i18n import Text, negotiate, to_simplified, to_traditional


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh-Hans"),
        ("", "zh-Hans"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK,en;q=0.5", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("fr-FR,en;q=0.7", "en"),
        ("fr-FR", "zh-Hans"),
        ("en;q=0.3,zh-TW;q=0.8", "zh-Hant"),
        ("en;q=0, zh", "zh-Hans"),
        ("*", "zh-Hans"),
        ("garbage;;;q=x", "zh-Hans"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_traditional_form_is_derived_when_not_written() -> None:
    text = Text(zh_hans="工会会员", en="Union member")
    assert text.get("zh-Hant") == "工會會員"
    assert Text(zh_hans="登录", en="Log in", zh_hant="登入").get("zh-Hant") == "登入"
    assert text.as_dict() == {"zh-Hans": "工会会员", "zh-Hant": "工會會員", "en": "Union member"}


def test_format_fills_known_placeholders_and_keeps_unknown_ones() -> None:
    text = Text(zh_hans="还剩 {n} 个名额 {x}", en="{n} places left")
    assert text.format("zh-Hans", n=3) == "还剩 3 个名额 {x}"
    assert text.format("en", n=1) == "1 places left"


def test_script_conversion_round_trips() -> None:
    assert to_traditional("妇联") == "婦聯"
    assert to_simplified("共青團") == "共青团"
