"""Where pushes may go: the push services' hosts (plus a deployment's own) and public addresses only.

A push endpoint is a URL a browser (or anyone with a session) hands us, and the worker POSTs to
it: these are the rules that keep that from reaching the metadata service or the intranet."""

from __future__ import annotations

import pytest

from bff.core.devices import (
    endpoint_host,
    host_matches,
    is_loopback_host,
    parse_hosts,
    push_address_allowed,
    push_endpoint_allowed,
)


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
    "https://updates-autopush.stage.mozaws.net.push.services.mozilla.com/wpush/v1/x",
    "https://web.push.apple.com/QGuO2Pp",
    "https://wns2-bl2p.notify.windows.com/w/?token=BQYAAA",
    "https://FCM.googleapis.com:443/fcm/send/x",
])
def test_the_browsers_push_services_are_accepted(endpoint):
    assert push_endpoint_allowed(endpoint)


@pytest.mark.parametrize("endpoint", [
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://100.100.100.200/latest/meta-data/",  # a cloud's metadata in the shared (CGNAT) range
    "https://10.0.0.5:8443/admin",  # the intranet
    "https://192.168.1.1/",
    "https://localhost/",
    "https://127.0.0.1:6379/",  # Redis
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[fd00:ec2::254]/",
    "https://push.apple.com/",  # the suffix alone is not a push service host
    "https://evilfcm.googleapis.com/",
    "https://fcm.googleapis.com.evil.example/",
    "https://fcm.googleapis.com./fcm/send/x",
    "https://evil.example/fcm.googleapis.com",
    "https://fcm.googleapis.com@10.0.0.5/",  # user info: the host is the part after the @
    "https://fcm.googleapis.com:x@10.0.0.5/",
    "https://evil\t.push.apple.com/",  # a character some URL parsers drop
    "https://fcm.googleapis.com%2e/",
    "https://fcm.googleapis.com:notaport/",
    "ftp://fcm.googleapis.com/x",
    "fcm.googleapis.com/fcm/send/x",
    "",
])
def test_anything_else_is_refused(endpoint):
    assert not push_endpoint_allowed(endpoint)
    assert not push_endpoint_allowed(endpoint, allow_http=True)


def test_a_deployment_adds_its_own_push_services_and_plain_http_only_where_allowed():
    extras = parse_hosts(" push.example.gov.cn , *.push.zj.example ,")
    assert extras == {"push.example.gov.cn", "*.push.zj.example"}
    assert push_endpoint_allowed("https://push.example.gov.cn/p/1", extra_hosts=extras)
    assert push_endpoint_allowed("https://a.push.zj.example/p/1", extra_hosts=extras)
    assert not push_endpoint_allowed("https://push.zj.example/p/1", extra_hosts=extras)
    assert not push_endpoint_allowed("http://push.example.gov.cn/p/1", extra_hosts=extras)
    assert not push_endpoint_allowed("http://fcm.googleapis.com/fcm/send/x")
    assert push_endpoint_allowed("http://push.example.gov.cn/p/1", extra_hosts=extras, allow_http=True)
    assert push_endpoint_allowed("http://127.0.0.1:5000/push/t", extra_hosts=frozenset({"127.0.0.1"}),
                                 allow_http=True)


def test_the_host_is_read_as_the_transport_reads_it():
    assert endpoint_host("https://[::1]:8443/x") == ("https", "::1")
    assert endpoint_host("https://Fcm.GoogleAPIs.com?x#y@10.0.0.1") == ("https", "fcm.googleapis.com")
    assert endpoint_host("https://a@b/") is None
    assert host_matches("a.b.push.apple.com", "*.push.apple.com")
    assert not host_matches(".push.apple.com", "*.push.apple.com")


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.9.9.9", "::1",  # loopback
    "10.1.2.3", "172.16.0.1", "192.168.0.1", "fd12::1",  # private
    "169.254.169.254", "fe80::1", "fd00:ec2::254",  # link-local and the clouds' metadata
    "100.64.0.1", "100.100.100.200",  # shared address space (CGNAT), Alibaba Cloud's metadata
    "224.0.0.1", "ff02::1",  # multicast
    "240.0.0.1", "0.0.0.0", "::", "255.255.255.255", "198.18.0.1", "192.0.2.1",  # reserved, test, unspecified
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped IPv6
    "2002:7f00:1::", "2002:a9fe:a9fe::",  # 6to4 around loopback and metadata
    "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1",  # NAT64 around metadata and loopback
    "not an address", "",
])
def test_no_push_goes_to_an_internal_or_special_address(address):
    assert not push_address_allowed(address)


@pytest.mark.parametrize("address", ["142.250.72.10", "2a00:1450:4001:82b::200a", "::ffff:142.250.72.10",
                                     "64:ff9b::8efa:480a"])
def test_public_addresses_are_allowed(address):
    assert push_address_allowed(address)


def test_loopback_only_when_asked_and_never_the_other_internal_ranges():
    assert push_address_allowed("127.0.0.1", loopback=True)
    assert push_address_allowed("::ffff:127.0.0.1", loopback=True)
    assert not push_address_allowed("10.0.0.1", loopback=True)
    assert not push_address_allowed("169.254.169.254", loopback=True)


@pytest.mark.parametrize(("host", "local"), [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                             ("[::1]", True), ("localhost", True), ("*.localhost", True),
                                             ("push.localhost", True), ("push.example.gov.cn", False),
                                             ("10.0.0.1", False)])
def test_a_host_naming_this_machine_is_recognised(host, local):
    assert is_loopback_host(host) is local
