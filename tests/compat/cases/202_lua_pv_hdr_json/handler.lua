function ksr_request_route()
end

local function show(v)
    if v == nil then return "nil" end
    return type(v) .. ":" .. tostring(v)
end

function ksr_xhttp_event(evname)
    KSR.pv.sets("$var(name)", "world")
    KSR.pv.seti("$var(n)", 41)
    KSR.pv.seti("$var(n)", KSR.pv.get("$var(n)") + 1)
    local parts = {
        "ua=" .. show(KSR.hdr.get("User-Agent")),
        "missing=" .. show(KSR.hdr.get("X-Missing")),
        "gete=" .. show(KSR.pv.gete("$hdr(X-Missing)")),
        "getvs=" .. show(KSR.pv.getvs("$hdr(X-Missing)", "dflt")),
        "getvn=" .. show(KSR.pv.getvn("$hdr(X-Missing)", 7)),
        "present=" .. show(KSR.hdr.is_present("X-Token")),
        "absent=" .. show(KSR.hdr.is_present("X-Nope")),
        "name=" .. show(KSR.pv.get("$var(name)")),
        "n=" .. show(KSR.pv.get("$var(n)")),
        "isnull=" .. show(KSR.pv.is_null("$hdr(X-Missing)")),
        "method=" .. show(KSR.kx.get_method()),
        "path=" .. show(KSR.pv.get("$(hu{url.path})")),
        "q=" .. show(KSR.pv.get("$(hu{url.querystring})")),
    }
    KSR.pv.unset("$var(name)")
    parts[#parts + 1] = "unset=" .. show(KSR.pv.get("$var(name)"))
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", table.concat(parts, "\n") .. "\n")
end
