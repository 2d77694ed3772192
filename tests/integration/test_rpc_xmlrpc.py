"""xmlrpc: the RPC commands over XML-RPC, tested with Python's xmlrpc.client; xhttp and
xmlrpc on one port, each getting only its URLs (Kamailio's url_match/url_skip)."""

import http.client
import xmlrpc.client

import pytest

CFG = """
listen=tcp:127.0.0.1:@PORT@
children=2
tcp_accept_no_cl=yes
loadmodule "sl.so"
loadmodule "xhttp.so"
loadmodule "xmlrpc.so"
loadmodule "textops.so"
loadmodule "statistics.so"
modparam("statistics", "variable", "calls")
modparam("xmlrpc", "route", "XMLRPC")
modparam("xmlrpc", "url_match", "^/RPC2")
modparam("xhttp", "url_skip", "^/RPC2")
request_route { sl_send_reply("404", "Not here"); }
route[XMLRPC] {
    if (search("^User-Agent:.*xmlrpclib")) set_reply_close();
    set_reply_no_connect();
    if ($hu =~ "denied") { xmlrpc_reply("403", "Forbidden"); exit; }
    dispatch_rpc();
}
event_route[xhttp:request] {
    xhttp_reply("200", "OK", "text/plain", "xhttp $hu");
}
"""


@pytest.fixture
def srv(siphon):
    return siphon(cfg=CFG)


def proxy(s, path="/RPC2"):
    return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{s.port}{path}")


def test_commands_over_xmlrpc(srv):
    p = proxy(srv)
    assert p.core.version().startswith("siphon ")
    methods = p.system.listMethods()
    assert "core.uptime" in methods and methods == sorted(methods)
    assert p.system.methodHelp("core.uptime") == "Returns uptime of SIP server."
    up = p.core.uptime()
    assert set(up) == {"now", "up_since", "uptime"}
    assert p.core.echo("a", 1) == ["a", "1"]
    assert p.core.psx()[0]["DSC"] == "main process - attendant"
    lines = p.stats.get_statistics("script:")
    assert lines == ["script:calls = 0"]
    # A command that adds nothing answers an empty <value> (a string for clients), as xmlrpc.c.
    assert p.stats.reset_statistics("calls") == ""
    assert p.corex.debug() == {"debug": 0}


def test_faults(srv):
    p = proxy(srv)
    with pytest.raises(xmlrpc.client.Fault) as e:
        p.no.such()
    assert (e.value.faultCode, e.value.faultString) == (500, "Method Not Found")
    with pytest.raises(xmlrpc.client.Fault) as e:
        p.stats.get_statistics()
    assert e.value.faultCode == 400
    with pytest.raises(xmlrpc.client.Fault) as e:
        proxy(srv, "/RPC2/denied").core.version()
    assert (e.value.faultCode, e.value.faultString) == (403, "Forbidden")
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    c.request("POST", "/RPC2", body=b"<methodCall><methodName>x</met", headers={"Content-Type": "text/xml"})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200 and b"<fault>" in body and b"<int>400</int>" in body
    assert b"<string>Invalid XML-RPC Document</string>" in body
    assert srv.alive()


def test_xhttp_and_xmlrpc_share_the_port(srv):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    c.request("GET", "/status")
    r = c.getresponse()
    assert r.status == 200 and r.read() == b"xhttp /status"
    # A GET on the XML-RPC URL goes to the XML-RPC route (no xhttp): an empty body is a fault.
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    c.request("GET", "/RPC2")
    r = c.getresponse()
    assert r.status == 200 and b"<fault>" in r.read()
    # Other methods on the XML-RPC URL are not XML-RPC: xhttp skips them (404).
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    c.request("PUT", "/RPC2", body=b"x")
    r = c.getresponse()
    assert r.status == 404
