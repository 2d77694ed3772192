"""xhttp_prom: /metrics in the Prometheus text format, checked by a strict parser (and by
promtool from Debian's prometheus package when installed): user counters, gauges and
histograms with labels, every internal statistic, the RPC commands."""

import shutil
import subprocess

import pytest

from helpers import free_port  # noqa: F401 - keeps the import path of the suite explicit
from test_rpc_helpers import check_prometheus_text, http_rpc, result

MODPARAMS = """
modparam("jsonrpcs", "transport", 1)
modparam("xhttp_prom", "xhttp_prom_stats", "all")
modparam("xhttp_prom", "xhttp_prom_metadata_flags", 3)
modparam("xhttp_prom", "xhttp_prom_uptime_stat", 1)
modparam("xhttp_prom", "prom_counter", "name=sip_requests_total; label=method:src; help='SIP requests seen'")
modparam("xhttp_prom", "prom_gauge", "name=temperature; label=room")
modparam("xhttp_prom", "prom_histogram", "name=latency; buckets=0.1:0.5:1")
modparam("xhttp_prom", "prom_counter", "name=never_used")
"""

HTTP_ROUTE = """
    if ($hu =~ "^/RPC") { jsonrpc_dispatch(); exit; }
    if (prom_check_uri()) {
        prom_counter_inc("sip_requests_total", "2", "INVITE", "$si");
        prom_counter_inc("sip_requests_total", "1", "quo\\"te", "x");
        prom_gauge_set("temperature", "-12.5", "hall");
        prom_gauge_inc("temperature", "2", "hall");
        prom_histogram_observe("latency", "0.3");
        prom_histogram_observe("latency", "7");
        prom_dispatch();
        exit;
    }
    xhttp_reply("404", "Not Found", "", "");
"""


def metrics(port):
    st, _, body, ctype = http_rpc(port, "", path="/metrics")
    assert st == 200 and ctype == "text/plain; version=0.0.4"
    return body.decode() if isinstance(body, bytes) else body


def promtool_check(text):
    tool = shutil.which("promtool")
    if not tool:
        return
    p = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    # 0: clean; 3: lint remarks only (missing HELP text...). 1 means the text did not parse.
    assert p.returncode in (0, 3), p.stdout + p.stderr
    assert "error while linting" not in p.stdout + p.stderr, p.stdout + p.stderr


@pytest.fixture
def server(siphon):
    return siphon(http_route=HTTP_ROUTE, modparams=MODPARAMS,
                  modules=("sl", "xhttp", "xlog", "textops", "pv", "jsonrpcs", "xhttp_prom"))


def test_metrics_valid_and_complete(server):
    text = metrics(server.port)
    fams = check_prometheus_text(text)
    promtool_check(text)
    assert fams["kamailio_sip_requests_total"]["type"] == "counter"
    samples = {tuple(sorted(l.items())): v for _, l, v, _ in fams["kamailio_sip_requests_total"]["samples"]}
    assert samples[(("method", "INVITE"), ("src", "127.0.0.1"))] == 2
    assert samples[(("method", 'quo"te'), ("src", "x"))] == 1
    assert "# HELP kamailio_sip_requests_total SIP requests seen\n" in text
    assert fams["kamailio_temperature"]["samples"][0][2] == -10.5
    lat = fams["kamailio_latency"]
    assert lat["type"] == "histogram"
    buckets = [(l["le"], v) for n, l, v, _ in lat["samples"] if n.endswith("_bucket")]
    assert buckets == [("0.100000", 0), ("0.500000", 1), ("1.000000", 1), ("+Inf", 2)]
    assert "kamailio_never_used" not in fams       # declared, never used
    # Every internal statistic is exported, named group_name.
    for name in ("kamailio_core_rcv_requests", "kamailio_sl_200_replies", "kamailio_tcp_established",
                 "kamailio_tcp_current_opened_connections", "kamailio_shmem_used_size",
                 "kamailio_http_requests", "kamailio_core_bad_msg_hdr", "kamailio_uptime"):
        assert name in fams, name
    assert fams["kamailio_core_rcv_requests"]["samples"][0][2] >= 1
    # Counters move between scrapes.
    fams2 = check_prometheus_text(metrics(server.port))
    s2 = {tuple(sorted(l.items())): v for _, l, v, _ in fams2["kamailio_sip_requests_total"]["samples"]}
    assert s2[(("method", "INVITE"), ("src", "127.0.0.1"))] == 4


def test_prom_rpc_commands(server):
    p = server.port
    assert result(p, "xhttp_prom.counter_inc", "sip_requests_total", 5, "REGISTER", "h") == {}
    assert result(p, "xhttp_prom.gauge_set", "temperature", 21.5, "lab") == {}
    assert result(p, "xhttp_prom.histogram_observe", "latency", 0.05) == {}
    text = result(p, "xhttp_prom.metric_list_print")
    assert text.startswith("# User defined metrics\n")
    assert 'kamailio_sip_requests_total{method="REGISTER",src="h"} 5 ' in text
    assert 'kamailio_temperature{room="lab"} 21.5 ' in text
    st, _, r, _ = http_rpc(p, {"jsonrpc": "2.0", "method": "xhttp_prom.counter_inc",
                               "params": ["nope", 2], "id": 1})
    assert r["error"] == {"code": 500, "message": "Failed to add 2 to counter: nope"}
    check_prometheus_text(metrics(p))


def test_internal_stats_selection(siphon):
    s = siphon(http_route='prom_dispatch();', modules=("sl", "xhttp", "xlog", "textops", "xhttp_prom"),
               modparams='modparam("xhttp_prom", "xhttp_prom_stats", "sl:")\n'
                         'modparam("xhttp_prom", "xhttp_prom_stats", "rcv_requests")\n'
                         'modparam("xhttp_prom", "xhttp_prom_beginning", "siphon_")\n'
                         'modparam("xhttp_prom", "xhttp_prom_tags", "job=edge,dc=a")\n'
                         'modparam("xhttp_prom", "timestamp_format", "s")')
    text = metrics(s.port)
    fams = check_prometheus_text(text)
    promtool_check(text)
    assert set(fams) == {f for f in fams if f.startswith("siphon_sl_")} | {"siphon_core_rcv_requests"}
    _, labels, _, ts = fams["siphon_core_rcv_requests"]["samples"][0]
    assert labels == {"job": "edge", "dc": "a"} and len(str(ts)) == 10
