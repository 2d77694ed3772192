function ksr_request_route()
end

function ksr_xhttp_event(evname)
    if KSR.pv.get("$hu") == "/boom" then
        local t = nil
        return t.field
    end
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "fine\n")
end
