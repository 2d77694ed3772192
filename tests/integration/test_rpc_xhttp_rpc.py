"""xhttp_rpc: the HTML interface to the RPC commands (groups, commands, execution)."""

import http.client
import re

CFG_MODPARAMS = 'modparam("xhttp_rpc", "xhttp_rpc_root", "http_rpc")'
ROUTE = """
    $var(root) = $(hu{s.substr,0,9});
    if ($var(root) == "/http_rpc") { dispatch_xhttp_rpc(); exit; }
    xhttp_reply("200", "OK", "text/html", "<html><body>Wrong URL $hu</body></html>");
"""


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, r.getheader("Content-Type"), r.read().decode()


def test_browse_and_execute(siphon):
    s = siphon(http_route=ROUTE, modparams=CFG_MODPARAMS,
               modules=("sl", "xhttp", "xlog", "textops", "pv", "xhttp_rpc"))
    st, ctype, html = get(s.port, "/http_rpc")
    assert st == 200 and ctype == "text/html; charset=utf-8"
    assert '<a href="/http_rpc/core">core</a>' in html and '<a href="/http_rpc/stats">' in html
    st, _, html = get(s.port, "/http_rpc/core")
    assert '<a href="/http_rpc/core/core.uptime">core.uptime</a>' in html
    assert "Returns uptime of SIP server." in html
    st, _, html = get(s.port, "/http_rpc/core/core.echo")
    assert "<form" in html and 'id="result"' not in html
    st, _, html = get(s.port, "/http_rpc/core/core.echo?arg=a%3Cb+7&run=Execute")
    assert re.search(r'<div id="result"><table class="array"><tr><td><pre>a&lt;b</pre></td></tr>'
                     r'<tr><td><pre>7</pre></td></tr></table></div>', html), html
    st, _, html = get(s.port, "/http_rpc/core/core.uptime?run=Execute")
    assert "<th>uptime</th>" in html
    st, _, html = get(s.port, "/http_rpc/stats/stats.get_statistics?run=Execute")
    assert 'class="fault"' in html and "Please provide which stats to retrieve" in html
    st, _, html = get(s.port, "/http_rpc/nope")
    assert st == 404
    st, _, html = get(s.port, "/http_rpc/core/stats.fetch")
    assert st == 404
