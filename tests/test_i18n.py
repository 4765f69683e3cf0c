"""Accept-Language as browsers send it (parsed by werkzeug), and the language switch order."""

import pytest

from fukudx_kg.web.i18n import accept_language, choose


@pytest.mark.parametrize("header,expected", [
    ("en-US,en;q=0.9", "en"),
    ("fr-FR, en;q=0.5, ja;q=0.4", "en"),
    ("ja-JP", "ja"),
    ("en;q=0.1, ja;q=0.8", "ja"),
    ("*", "ja"),
    ("fr", None),
    ("", None),
    (None, None),
    ("en;q=0", None),
])
def test_accept_language(header, expected):
    assert accept_language(header) == expected


def test_query_parameter_then_cookie_then_header():
    assert choose("en", "ja", "ja") == "en"
    assert choose(None, "en", "ja") == "en"
    assert choose(None, None, "en-GB") == "en"
    assert choose("xx", None, "fr") == "ja"
