#include "modules/registry.h"

#include "modules/modules.h"

namespace siphon::modules {

std::span<const cfg::ModuleDef* const> builtin() {
    // An explicit list: no static-initializer self-registration.
    static const cfg::ModuleDef* const kAll[] = {
        &kCoreModule, &kSlModule, &kXhttpModule, &kXlogModule, &kTextopsModule, &kTextopsxModule,
        &kPvModule,
        &kAppLuaModule, &kKemixModule,
        &kJsonrpcsModule, &kStatisticsModule, &kXhttpPromModule, &kXmlrpcModule,
        &kXhttpRpcModule,
        &kJanssonModule, &kCfgutilsModule, &kCorexModule, &kKexModule,
        &kHtableModule, &kSiputilsModule,
    };
    return kAll;
}

}  // namespace siphon::modules
