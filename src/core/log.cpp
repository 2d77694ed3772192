#include "core/log.h"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace siphon {

namespace {
thread_local int t_worker_id = 0;

struct LevelName {
    int level;
    const char* name;
};
constexpr LevelName kLevels[] = {
    {kLogAlert, "ALERT"}, {kLogBug, "BUG"},       {kLogCrit2, "CRITICAL"}, {kLogCrit, "CRITICAL"},
    {kLogErr, "ERROR"},   {kLogWarn, "WARNING"},  {kLogNotice, "NOTICE"},  {kLogInfo, "INFO"},
    {kLogDbg, "DEBUG"},
};

int syslog_priority(int level) {
    if (level <= kLogCrit) return LOG_CRIT;
    if (level == kLogErr) return LOG_ERR;
    if (level == kLogWarn) return LOG_WARNING;
    if (level == kLogNotice) return LOG_NOTICE;
    if (level == kLogInfo) return LOG_INFO;
    return LOG_DEBUG;
}
}  // namespace

LogConfig& log_config() {
    static LogConfig cfg;
    return cfg;
}

void set_log_worker_id(int id) { t_worker_id = id; }

std::string_view log_level_name(int level) {
    for (auto& l : kLevels)
        if (l.level == level) return l.name;
    return level > kLogDbg ? "DEBUG" : "ALERT";
}

bool parse_log_level(std::string_view s, int& out) {
    static constexpr struct {
        const char* n;
        int v;
    } names[] = {{"ALERT", kLogAlert}, {"BUG", kLogBug},   {"CRIT2", kLogCrit2},
                 {"CRIT", kLogCrit},   {"ERR", kLogErr},   {"ERROR", kLogErr},
                 {"WARN", kLogWarn},   {"WARNING", kLogWarn}, {"NOTICE", kLogNotice},
                 {"INFO", kLogInfo},   {"DBG", kLogDbg},   {"DEBUG", kLogDbg}};
    if (s.substr(0, 2) == "L_") s.remove_prefix(2);
    for (auto& n : names)
        if (s == n.n) {
            out = n.v;
            return true;
        }
    if (s.empty()) return false;
    bool neg = s[0] == '-';
    size_t i = neg ? 1 : 0;
    if (i >= s.size()) return false;
    int v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
        if (v > 1000) return false;
    }
    out = neg ? -v : v;
    return true;
}

bool parse_log_facility(std::string_view s, int& out) {
    static constexpr struct {
        const char* n;
        int v;
    } names[] = {{"LOG_DAEMON", LOG_DAEMON}, {"LOG_USER", LOG_USER},     {"LOG_LOCAL0", LOG_LOCAL0},
                 {"LOG_LOCAL1", LOG_LOCAL1}, {"LOG_LOCAL2", LOG_LOCAL2}, {"LOG_LOCAL3", LOG_LOCAL3},
                 {"LOG_LOCAL4", LOG_LOCAL4}, {"LOG_LOCAL5", LOG_LOCAL5}, {"LOG_LOCAL6", LOG_LOCAL6},
                 {"LOG_LOCAL7", LOG_LOCAL7}};
    for (auto& n : names)
        if (s == n.n) {
            out = n.v;
            return true;
        }
    return false;
}

void log_write(int level, std::string_view module, std::string_view text) {
    LogConfig& cfg = log_config();
    // " 3(12345) INFO: <xhttp> text" -- the shape of Kamailio's lines, with the worker
    // number in place of the process rank and the thread id in place of the pid.
    char buf[4096];
    int n = std::snprintf(buf, sizeof buf, "%s%2d(%d) %s: <%.*s> ", cfg.prefix, t_worker_id,
                          static_cast<int>(gettid()), log_level_name(level).data(),
                          static_cast<int>(module.size()), module.data());
    if (n < 0) return;
    size_t len = static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : sizeof buf - 1;
    size_t room = sizeof buf - 1 - len;
    size_t tl = text.size() < room ? text.size() : room;
    std::memcpy(buf + len, text.data(), tl);
    len += tl;
    if (len == 0 || buf[len - 1] != '\n') buf[len++] = '\n';
    if (cfg.to_stderr) {
        ssize_t w = ::write(2, buf, len);
        (void)w;
    } else {
        syslog(cfg.facility | syslog_priority(level), "%.*s", static_cast<int>(len), buf);
    }
}

void log_printf(int level, const char* module, const char* fmt, ...) {
    char buf[3072];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : sizeof buf - 1;
    log_write(level, module, std::string_view(buf, len));
}

}  // namespace siphon
