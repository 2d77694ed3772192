function handle(url)
    KSR.pv.sets("$var(msg)", "lua saw " .. url)
    KSR.pv.seti("$var(rc)", 5)
    KSR.route("REPLY")
end
