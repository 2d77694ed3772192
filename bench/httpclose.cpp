// httpclose: HTTP load with one request per connection, for the siphon benchmark suite.
//
// C connections are kept in flight; each connects, sends one keep-alive GET (no
// "Connection: close": Kamailio's xhttp ignores it, so the client must close), reads the whole
// reply (Content-Length framing), closes the socket and starts over. wrk cannot do this:
// its Connection: close mode relies on the server closing. Reports connections (= requests)
// per second, errors and the p50/p99 of connect-to-last-byte. One thread, one epoll loop;
// loopback destinations only. Output: one JSON object on stdout.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    int conns = 32;
    double duration = 5;
    std::string path = "/";
    int timeout_ms = 2000;
    // Source addresses 127.0.0.2 .. 127.0.0.(1+N), used in turn. From one address the kernel
    // reuses a TIME_WAIT port only after about a second, which caps one source at roughly
    // (ephemeral ports / 2) connections per second (about 14k/s here) whatever the server.
    int src_ips = 8;
};

enum class St : uint8_t { Idle, Connecting, Reading };

struct Slot {
    int fd = -1;
    St st = St::Idle;
    int64_t start_ns = 0;
    std::string rbuf;
};

class Gen {
public:
    explicit Gen(const Options& o) : o_(o) {
        lat_.reserve(1 << 21);
        req_ = "GET " + o_.path + " HTTP/1.1\r\nHost: " + o_.host + ":" + std::to_string(o_.port) +
               "\r\nUser-Agent: httpclose\r\nAccept: */*\r\n\r\n";
    }

    bool setup() {
        sockaddr_in a{};
        if (inet_pton(AF_INET, o_.host.c_str(), &a.sin_addr) != 1 || (ntohl(a.sin_addr.s_addr) >> 24) != 127) {
            std::fprintf(stderr, "httpclose: --host must be a numeric 127.x.x.x address\n");
            return false;
        }
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(o_.port));
        dst_ = a;
        ep_ = epoll_create1(0);
        slots_.resize(size_t(o_.conns));
        return ep_ >= 0;
    }

    void start(size_t i, int64_t t) {
        Slot& s = slots_[i];
        s.rbuf.clear();
        s.start_ns = t;
        s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s.fd < 0) {
            ++errors_;
            s.st = St::Idle;
            return;
        }
        int one = 1;
        setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (o_.src_ips > 0) {
            sockaddr_in src{};
            src.sin_family = AF_INET;
            src.sin_addr.s_addr = htonl((127u << 24) | uint32_t(2 + next_src_++ % unsigned(o_.src_ips)));
            // The port is chosen at connect(), per destination, not reserved by bind().
            setsockopt(s.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            if (bind(s.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
                ++connect_errors_;
                close(s.fd);
                s.fd = -1;
                s.st = St::Idle;
                return;
            }
        }
        int rc = connect(s.fd, reinterpret_cast<sockaddr*>(&dst_), sizeof dst_);
        epoll_event ev{};
        ev.data.u64 = i;
        if (rc == 0) {
            if (!send_req(s)) return fail(i);
            s.st = St::Reading;
            ev.events = EPOLLIN;
        } else if (errno == EINPROGRESS) {
            s.st = St::Connecting;
            ev.events = EPOLLOUT;
        } else {
            ++connect_errors_;
            return fail(i);
        }
        epoll_ctl(ep_, EPOLL_CTL_ADD, s.fd, &ev);
    }

    bool send_req(Slot& s) {
        ssize_t n = ::send(s.fd, req_.data(), req_.size(), MSG_NOSIGNAL);
        return n == ssize_t(req_.size());
    }

    void fail(size_t i) {
        Slot& s = slots_[i];
        ++errors_;
        if (s.fd >= 0) close(s.fd);
        s.fd = -1;
        s.st = St::Idle;
    }

    void done(size_t i, int64_t t) {
        Slot& s = slots_[i];
        close(s.fd);  // the client closes after the reply; epoll forgets the fd on close
        s.fd = -1;
        s.st = St::Idle;
        if (!stopping_) {
            ++completed_;
            lat_.push_back(uint32_t(std::min<int64_t>((t - s.start_ns) / 1000, UINT32_MAX)));
        }
    }

    // Returns true when the reply in s.rbuf is complete.
    bool reply_complete(Slot& s, bool& bad) {
        size_t end = s.rbuf.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        std::string_view head(s.rbuf.data(), end + 4);
        if (head.substr(0, 9) != "HTTP/1.1 " && head.substr(0, 9) != "HTTP/1.0 ") bad = true;
        else if (head.substr(9, 3) != "200") bad = true;
        size_t body = 0;
        size_t pos = 0;
        while ((pos = head.find('\n', pos)) != std::string_view::npos) {
            ++pos;
            if (head.size() - pos > 15 && strncasecmp(head.data() + pos, "content-length:", 15) == 0) {
                body = std::strtoul(head.data() + pos + 15, nullptr, 10);
                break;
            }
        }
        return s.rbuf.size() >= head.size() + body;
    }

    void on_event(size_t i, int64_t t) {
        Slot& s = slots_[i];
        if (s.st == St::Connecting) {
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err || !send_req(s)) {
                ++connect_errors_;
                return fail(i);
            }
            s.st = St::Reading;
            epoll_event ev{};
            ev.data.u64 = i;
            ev.events = EPOLLIN;
            epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev);
            return;
        }
        if (s.st != St::Reading) return;
        char buf[16384];
        for (;;) {
            ssize_t n = recv(s.fd, buf, sizeof buf, 0);
            if (n > 0) {
                s.rbuf.append(buf, size_t(n));
                bool bad = false;
                if (reply_complete(s, bad)) {
                    if (bad) ++bad_;
                    return done(i, t);
                }
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n < 0 && errno == EINTR) continue;
            return fail(i);  // EOF or reset before a complete reply
        }
    }

    int run() {
        int64_t t0 = now_ns();
        int64_t t_end = t0 + int64_t(o_.duration * 1e9);
        for (size_t i = 0; i < slots_.size(); ++i) start(i, t0);
        epoll_event evs[256];
        int64_t t_stop = 0, drain_end = 0;
        int64_t next_check = t0 + 100'000'000;
        for (;;) {
            int n = epoll_wait(ep_, evs, 256, 5);
            int64_t t = now_ns();
            for (int k = 0; k < n; ++k) on_event(size_t(evs[k].data.u64), t);
            if (!stopping_ && t >= t_end) {
                stopping_ = true;
                t_stop = t;
                drain_end = t + 1'000'000'000;
            }
            size_t busy = 0;
            for (size_t i = 0; i < slots_.size(); ++i) {
                Slot& s = slots_[i];
                if (s.st == St::Idle) {
                    if (!stopping_) start(i, t);
                } else {
                    ++busy;
                }
            }
            if (t >= next_check) {
                next_check = t + 100'000'000;
                for (size_t i = 0; i < slots_.size(); ++i)
                    if (slots_[i].st != St::Idle && t - slots_[i].start_ns > int64_t(o_.timeout_ms) * 1'000'000) {
                        ++timeouts_;
                        fail(i);
                        if (!stopping_) start(i, t);
                    }
            }
            if (stopping_ && (busy == 0 || t >= drain_end)) break;
        }
        for (auto& s : slots_)
            if (s.fd >= 0) close(s.fd);
        double secs = double(t_stop - t0) / 1e9;
        auto pct = [&](double p) -> double {
            if (lat_.empty()) return 0;
            size_t k = std::min(lat_.size() - 1, size_t(p * double(lat_.size())));
            std::nth_element(lat_.begin(), lat_.begin() + long(k), lat_.end());
            return lat_[k];
        };
        double p50 = pct(0.5), p99 = pct(0.99);
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        double cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        std::printf(
            "{\"conns\":%d,\"duration_s\":%.3f,\"requests\":%llu,\"requests_per_s\":%.1f,\"errors\":%llu,"
            "\"connect_errors\":%llu,\"timeouts\":%llu,\"bad\":%llu,\"p50_us\":%.0f,\"p99_us\":%.0f,\"cpu_s\":%.3f}\n",
            o_.conns, secs, (unsigned long long)completed_, secs > 0 ? double(completed_) / secs : 0.0,
            (unsigned long long)errors_, (unsigned long long)connect_errors_, (unsigned long long)timeouts_,
            (unsigned long long)bad_, p50, p99, cpu);
        return completed_ ? 0 : 1;
    }

private:
    Options o_;
    sockaddr_in dst_{};
    int ep_ = -1;
    std::string req_;
    std::vector<Slot> slots_;
    std::vector<uint32_t> lat_;
    bool stopping_ = false;
    uint64_t completed_ = 0, errors_ = 0, connect_errors_ = 0, timeouts_ = 0, bad_ = 0;
    uint32_t next_src_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "httpclose: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--host") o.host = next();
        else if (a == "--port") o.port = std::atoi(next());
        else if (a == "--conns") o.conns = std::atoi(next());
        else if (a == "--duration") o.duration = std::atof(next());
        else if (a == "--path") o.path = next();
        else if (a == "--timeout-ms") o.timeout_ms = std::atoi(next());
        else if (a == "--src-ips") o.src_ips = std::atoi(next());
        else {
            std::fprintf(stderr,
                         "usage: httpclose --port P [--host 127.0.0.1] [--conns C] [--duration S] [--path /]"
                         " [--src-ips N]\n");
            return a == "-h" || a == "--help" ? 0 : 2;
        }
    }
    if (o.port <= 0 || o.port > 65535 || o.conns < 1 || o.conns > 10000 || o.duration <= 0 || o.duration > 3600 ||
        o.src_ips < 0 || o.src_ips > 250) {
        std::fprintf(stderr, "httpclose: bad option value\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    alarm(unsigned(o.duration + 10));
    Gen g(o);
    if (!g.setup()) return 2;
    return g.run();
}
