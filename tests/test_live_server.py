"""The live server the browser tests drive answers requests that arrive side by side, as a
browser sends them (an autosave beside a form's submit), without a 503."""

import concurrent.futures
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.factories import StaffFactory

PASSWORD = "a-long-test-password"


def _sign_in(base_url: str) -> str:
    """Signs in from a browser of its own (its own cookies): the status of the page it
    lands on and its address."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = base_url + "/admin/login/"
    try:
        form = opener.open(login).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        fields = {"csrfmiddlewaretoken": token, "username": "ed", "password": PASSWORD}
        sent = urllib.request.Request(
            login + "?next=/admin/",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": login},
        )
        with opener.open(sent) as response:
            return f"{response.status} {response.geturl().removeprefix(base_url)}"
    except urllib.error.HTTPError as error:
        return str(error.code)


@pytest.mark.django_db(transaction=True)
def test_sign_ins_side_by_side_all_reach_the_admin(live_server, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http here
    StaffFactory(username="ed", is_superuser=True)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _sign_in(live_server.url), range(64)))
    assert statuses == ["200 /admin/"] * 64  # signed in, on the admin's index
