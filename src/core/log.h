// Logging with Kamailio's levels. One line per message, written with a single write(2) so
// lines from different workers never interleave. The level is atomic and may be changed at
// run time (debug= in the config, RPC later).
#pragma once

#include <atomic>
#include <cstdarg>
#include <string_view>

namespace siphon {

// Kamailio's numeric levels: L_ALERT=-5 ... L_DBG=3.
enum LogLevel : int {
    kLogAlert = -5,
    kLogBug = -4,
    kLogCrit2 = -3,
    kLogCrit = -2,
    kLogErr = -1,
    kLogWarn = 0,
    kLogNotice = 1,
    kLogInfo = 2,
    kLogDbg = 3,
};

struct LogConfig {
    std::atomic<int> level{kLogWarn};
    bool to_stderr = true;   // else syslog
    int facility = 0;        // syslog facility (LOG_DAEMON by default), set from log_facility
    const char* prefix = ""; // log_prefix
};

// The process-wide log sink. Logging is the one place a global is worth it: every layer
// logs, and threading a logger through each call costs more than it buys.
LogConfig& log_config();
// Parses "L_INFO", "INFO", "2", "-1" ... Returns false if unknown.
bool parse_log_level(std::string_view s, int& out);
std::string_view log_level_name(int level);
// Parses "LOG_LOCAL0" ... into a syslog facility.
bool parse_log_facility(std::string_view s, int& out);

// Worker id shown in log lines (0 = main thread). Set once per thread.
void set_log_worker_id(int id);

inline bool log_enabled(int level) { return level <= log_config().level.load(std::memory_order_relaxed); }
// module: "core", "xhttp", "script" ...
void log_write(int level, std::string_view module, std::string_view text);
void log_printf(int level, const char* module, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace siphon

#define SLOG(level, module, ...)                                                   \
    do {                                                                           \
        if (::siphon::log_enabled(level)) ::siphon::log_printf(level, module, __VA_ARGS__); \
    } while (0)
#define SLOG_ERR(module, ...) SLOG(::siphon::kLogErr, module, __VA_ARGS__)
#define SLOG_WARN(module, ...) SLOG(::siphon::kLogWarn, module, __VA_ARGS__)
#define SLOG_NOTICE(module, ...) SLOG(::siphon::kLogNotice, module, __VA_ARGS__)
#define SLOG_INFO(module, ...) SLOG(::siphon::kLogInfo, module, __VA_ARGS__)
#define SLOG_DBG(module, ...) SLOG(::siphon::kLogDbg, module, __VA_ARGS__)
