"""htable.* RPC commands with Kamailio 5.6's reply shapes and fault texts."""

from test_rpc_helpers import call, result

MODPARAMS = """
modparam("jsonrpcs", "transport", 1)
modparam("htable", "htable", "a=>size=4;autoexpire=0")
modparam("htable", "htable", "b=>size=2")
"""


def kamailio_case_hash(key):
    """Kamailio's core_case_hash() (core/hashes.h), which places htable keys in slots: A-Z
    folded to lower case, bytes as signed chars (x86-64)."""
    m = 0xFFFFFFFF
    b = [(c | 0x20) if 65 <= c <= 90 else c for c in key.encode()]
    b = [(c - 256 if c >= 128 else c) & m for c in b]
    h = 0
    i = 0
    while i + 4 <= len(b):
        v = ((b[i] << 24) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3]) & m
        h = (h + (v ^ (v >> 3))) & m
        i += 4
    v = 0
    for c in b[i:]:
        v = ((v << 8) + c) & m
    h = (h + (v ^ (v >> 3))) & m
    return ((h + (h >> 11)) + ((h >> 13) + (h >> 23))) & m


def test_htable_commands(siphon):
    s = siphon(http_route='jsonrpc_dispatch();', modparams=MODPARAMS,
               modules=("sl", "xhttp", "xlog", "textops", "jsonrpcs", "htable"))
    p = s.port
    assert result(p, "htable.sets", "a", "k1", "v1") == "Ok. Key set to new value."
    assert result(p, "htable.seti", "a", "k2", 5) == "Ok. Key set to new value."
    assert result(p, "htable.get", "a", "k1") == {
        "item": {"name": "k1", "value": "v1", "flags": 2, "expire": "NEVER"}}
    assert result(p, "htable.get", "a", "k2")["item"]["value"] == 5
    st, r = call(p, "htable.get", "a", "zz")
    assert (st, r["error"]) == (500, {"code": 500, "message": "Key name doesn't exist in htable."})
    st, r = call(p, "htable.get", "zz", "zz")
    assert r["error"]["message"] == "No such htable"
    st, r = call(p, "htable.get", "a")
    assert r["error"]["message"] == "Not enough parameters (htable name and key name)"
    dump = result(p, "htable.dump", "a")
    assert all(set(e) == {"entry", "size", "slot"} for e in dump)
    items = {x["name"]: (x["value"], x["type"]) for e in dump for x in e["slot"]}
    assert items == {"k1": ("v1", "str"), "k2": (5, "int")}
    # Slot numbers are Kamailio's (16 slots for size=4), slots in increasing order.
    for e in dump:
        assert all(kamailio_case_hash(x["name"]) & 15 == e["entry"] for x in e["slot"]), e
    assert [e["entry"] for e in dump] == sorted({kamailio_case_hash(k) & 15 for k in items})
    for n in range(40):
        result(p, "htable.seti", "b", f"Key-{n}-\u00e9t\u00e9", n)
    dump = result(p, "htable.dump", "b")
    assert sum(e["size"] for e in dump) == 40
    assert [e["entry"] for e in dump] == sorted(e["entry"] for e in dump)
    for e in dump:
        assert all(kamailio_case_hash(x["name"]) & 3 == e["entry"] for x in e["slot"]), e
        hashes = [kamailio_case_hash(x["name"]) for x in e["slot"]]
        assert hashes == sorted(hashes)
    tables = result(p, "htable.listTables")
    assert [t["name"] for t in tables] == ["b", "a"]
    assert tables[1] == {"name": "a", "dbtable": "", "dbmode": 0, "expire": 0, "updateexpire": 1,
                         "size": 16, "dmqreplicate": 0}
    assert result(p, "htable.delete", "a", "k1") == "Ok. Key deleted."
    st, r = call(p, "htable.delete", "a", "k1")
    assert (st, r["error"]) == (404, {"code": 404, "message": "Key not found in htable."})
    st, r = call(p, "htable.reload", "a")
    assert r["error"]["message"] == "No htable db_url"
    stats = result(p, "htable.stats")
    assert stats[1] == {"name": "a", "slots": 16, "all": 1, "min": 0, "max": 1}
