"""The HTTP adapter against a real HTTP server speaking the contract (in front of the sample registry)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bff.adapters.prefill import PrefillConfigurationError, build_prefill_sources
from bff.adapters.prefill.contract import answer
from bff.adapters.prefill.http import CircuitBreaker, HttpPrefillClient
from bff.adapters.prefill.sample import SampleRegistry
from bff.core.ports import PrefillSources, SourceUnavailable
from bff.demo import persona

TODAY = date(2026, 11, 26)


class ContractServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ContractHandler)
        registry = SampleRegistry(TODAY)
        self.sources = PrefillSources(registry, registry, registry, registry, registry, registry, registry,
                                      real_estate=registry)
        self.delay = 0.0
        self.fail = False
        self.calls: list[str] = []

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that timed out hung up: expected here, not worth a traceback


class ContractHandler(BaseHTTPRequestHandler):
    server: ContractServer

    def do_POST(self) -> None:
        operation = self.path.removeprefix("/v1/")
        self.server.calls.append(operation)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.server.delay)
        if self.server.fail:
            self.send_response(503)
            self.end_headers()
            return
        payload = json.dumps(answer(self.server.sources, operation, body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:  # keep test output (and ID numbers) out of stderr
        return


@pytest.fixture
def server() -> Iterator[ContractServer]:
    instance = ContractServer()
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()


def url_of(server: ContractServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_the_http_adapter_returns_the_same_records_as_the_sample_registry(server):
    sources = HttpPrefillClient(url_of(server)).sources()
    number = persona("chenguohua", TODAY).id_number
    assert sources.population.person(number) == server.sources.population.person(number)
    assert sources.population.relatives(number) == server.sources.population.relatives(number)
    assert sources.medical.death_record(number) == server.sources.medical.death_record(number)
    assert sources.licences.card(number, "driving-licence").number == "330100087421"
    assert sources.licences.card(number, "disability-card") is None
    assert sources.population.count_named("张子涵") == server.sources.population.count_named("张子涵")


def test_the_life_stage_registers_answer_over_http_as_the_sample_registry_does(server):
    sources = HttpPrefillClient(url_of(server)).sources()
    groom, buyer, graduate = (persona(key, TODAY).id_number for key in ("liuyang", "wuhao", "linxiao"))
    booking = sources.population.marriage_booking(groom)
    assert booking == server.sources.population.marriage_booking(groom) and booking.booked_for > TODAY
    assert sources.real_estate.properties(buyer) == server.sources.real_estate.properties(buyer)
    assert sources.real_estate.properties(buyer)[0].status == "contracted"
    assert sources.social_insurance.unemployment_registration(graduate).office == "西湖区公共就业服务中心"
    assert sources.real_estate.properties(graduate) == []


def test_id_numbers_travel_in_the_body_never_in_the_url(server):
    HttpPrefillClient(url_of(server)).sources().population.person(persona("chenming", TODAY).id_number)
    assert server.calls == ["population.person"]


def test_a_slow_source_times_out_as_unavailable_and_the_log_holds_no_personal_data(server, caplog):
    server.delay = 0.5
    client = HttpPrefillClient(url_of(server), timeout=0.1)
    with pytest.raises(SourceUnavailable) as raised:
        client.sources().medical.death_record("330106194609024116")
    assert raised.value.source == "medical-records"
    assert "medical.death_record" in caplog.text and "330106194609024116" not in caplog.text


def test_the_circuit_opens_after_repeated_failures_and_stops_calling(server):
    server.fail = True
    client = HttpPrefillClient(url_of(server), failures_to_open=2, open_seconds=60)
    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            client.sources().housing_fund.account("330106194609024116")
    calls = len(server.calls)
    with pytest.raises(SourceUnavailable, match="circuit open"):
        client.sources().housing_fund.account("330106194609024116")
    assert len(server.calls) == calls
    server.fail = False
    assert client.sources().population.person("110101199001011237") is None  # other sources still answer


def test_a_breaker_half_opens_after_the_wait_and_closes_on_success():
    now = [0.0]
    breaker = CircuitBreaker(failures_to_open=1, open_seconds=10, clock=lambda: now[0])
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 11
    assert breaker.state == "half-open" and breaker.allow()
    assert not breaker.allow()  # only one trial call at a time
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.allow()


def test_the_backend_is_chosen_from_configuration(server):
    assert build_prefill_sources({"PREFILL_BACKEND": "http", "PREFILL_URL": url_of(server)}).name == "http"
    with pytest.raises(PrefillConfigurationError):
        build_prefill_sources({"PREFILL_BACKEND": "http"})
    with pytest.raises(PrefillConfigurationError):
        build_prefill_sources({"PREFILL_BACKEND": "ldap"})


def test_the_means_check_care_assessment_discharge_and_insurance_elsewhere_travel_over_the_contract(server):
    sources = HttpPrefillClient(url_of(server)).sources()
    mother, widow = persona("wuxiulan", TODAY).id_number, persona("liuxiuying", TODAY).id_number
    soldier, mover = persona("wanglei", TODAY).id_number, persona("linxiaoyan", TODAY).id_number
    assert sources.civil_affairs.household_means(mother) == server.sources.civil_affairs.household_means(mother)
    assert sources.civil_affairs.household_means(mother).members == 2
    assert sources.civil_affairs.care_assessment(widow).level == "moderate"
    assert sources.veterans.veteran(soldier) == server.sources.veterans.veteran(soldier)
    assert sources.veterans.veteran(mother) is None
    assert sources.social_insurance.pension_account(mover).insured_in == "上海市浦东新区"
    assert server.calls[-1] == "social.pension_account"
