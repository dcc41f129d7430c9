"""The discovery announcements, sent to a stand-in for the HA Supervisor (which cannot run here;
harness/supervisor_standin.py answers as its discovery API does)."""

import pytest

from harness.supervisor_standin import SupervisorStandIn
from launcher.ha_discovery import Announcement, announce_all, announcements, send
from launcher.process import free_port


def test_what_is_announced_for_an_add_on() -> None:
    found = announcements("a0d7b954-heisenberg", "http://a0d7b954-heisenberg:8080", [10300])
    assert found == [
        Announcement("wyoming", {"uri": "tcp://a0d7b954-heisenberg:10300"}),
        Announcement("heisenberg", {"url": "http://a0d7b954-heisenberg:8080"}),
    ]
    # Without a local llama-server (another one is used), only the Wyoming service.
    assert [a.service for a in announcements("h", "", [10300])] == ["wyoming"]


def test_the_supervisor_accepts_both_and_the_log_says_so() -> None:
    lines: list[str] = []
    with SupervisorStandIn("secret") as supervisor:
        found = announcements("host", "http://host:8080", [10300])
        assert announce_all(found, "secret", lines.append, api=supervisor.url) == 2
    assert supervisor.messages == [
        {"service": "wyoming", "config": {"uri": "tcp://host:10300"}},
        {"service": "heisenberg", "config": {"url": "http://host:8080"}},
    ]
    assert lines[0] == "announced to Home Assistant: wyoming {'uri': 'tcp://host:10300'}"


def test_a_refusal_is_said_once_and_not_retried() -> None:
    lines: list[str] = []
    with SupervisorStandIn("secret") as supervisor:
        found = announcements("host", "", [10300])
        assert announce_all(found, "wrong", lines.append, api=supervisor.url) == 0
    assert supervisor.refused == ["token 'wrong'"]  # one try only
    assert lines == [
        "could not announce wyoming to Home Assistant: the Supervisor refused it (HTTP 401: "
        '{"result": "error", "message": "Unauthorized"})'
    ]


def test_an_unreachable_supervisor_is_an_error_that_names_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RuntimeError, match=f"the Supervisor cannot be reached at {url}/discovery"):
        send(Announcement("wyoming", {"uri": "tcp://h:1"}), "t", api=url, attempts=1)
