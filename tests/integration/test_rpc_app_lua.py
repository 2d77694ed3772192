"""app_lua.* RPC commands (Kamailio 5.6 replies): app_lua.list, app_lua.reload."""

from test_rpc_helpers import call, result


def test_list_and_reload(siphon, tmp_path):
    script = tmp_path / "a.lua"
    script.write_text("function hello() KSR.info('v1') end\n")
    s = siphon(http_route='jsonrpc_dispatch();',
               modparams=f'modparam("jsonrpcs", "transport", 1)\nmodparam("app_lua", "load", "{script}")',
               modules=("sl", "xhttp", "xlog", "textops", "jsonrpcs", "app_lua"))
    assert result(s.port, "app_lua.list") == f"0: [{script}]"
    assert result(s.port, "app_lua.reload") == {}
    script.write_text("function hello( end\n")
    st, r = call(s.port, "app_lua.reload")
    assert st == 500 and r["error"]["message"].startswith("Reload Failed")
    assert result(s.port, "system.methodHelp", "app_lua.reload") == "Reload lua script"
