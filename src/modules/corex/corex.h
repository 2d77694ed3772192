// corex: core extensions. The part other modules use is the alias_subdomains list, which
// Kamailio's corex registers as an extra "is this me?" check (kex's is_myself() and the
// core's myself comparisons consult it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/module.h"
#include "pv/context.h"

namespace siphon::modules {

struct AliasSubdomain {
    std::string domain;               // as configured; compared case-insensitively
    uint16_t port = 0;                // 0: any port
    pv::Proto proto = pv::Proto::None;  // None: any transport
};

struct CorexData : cfg::ModuleData {
    std::vector<AliasSubdomain> alias_subdomains;
};

// corex_check_self(): true if host is one of the alias_subdomains domains or a subdomain
// of one ("a.b.example.com" for "example.com"), and port/proto agree where both sides give
// one (0 / None: not given). Read-only after load: any thread may call it.
bool corex_check_self(const CorexData& d, std::string_view host, uint16_t port, pv::Proto proto);

}  // namespace siphon::modules
