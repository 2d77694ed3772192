function ksr_request_route()
    KSR.sl.sl_send_reply(404, "No SIP here")
end

function ksr_xhttp_event(evname)
    local rpath = KSR.pv.gete("$hu")
    KSR.xhttp.xhttp_reply(200, "OK", "text/html",
        "<html><body>" .. evname .. " " .. rpath .. " [" .. KSR.pv.get("$si") .. "]</body></html>")
end
