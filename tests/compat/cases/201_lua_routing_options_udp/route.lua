function ksr_request_route()
    if KSR.is_OPTIONS() then
        KSR.hdr.append_to_reply("X-Lua: " .. KSR.pv.get("$rm") .. " from " .. KSR.pv.get("$fU") .. "\r\n")
        KSR.sl.sl_send_reply(200, "Keepalive")
        KSR.x.exit()
    end
    KSR.sl.sl_send_reply(404, "Not here")
end
