-- bench/configs/bench.lua: server.cfg's routes through KEMI (see lua.cfg).
function ksr_request_route()
    if KSR.is_method("OPTIONS") then
        KSR.sl.sl_send_reply(200, "OK")
        return 1
    end
    return 1
end

function ksr_xhttp_event(evname)
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "ok\n")
    return 1
end
