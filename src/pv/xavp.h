// $xavp and $xavu: per-message structured variables (Kamailio's eXtended AVPs).
//
// $xavp(root[i]=>field[j]) - lists, newest first:
//   $xavp(r) = v          adds a new root "r" holding v (r[0]; the older ones move down);
//   $xavp(r=>f) = v       adds a new root "r" holding a structure with the field f = v;
//   $xavp(r[i]=>f) = v    adds the field f (f[0]) to the structure r[i] (a new root when r[i]
//                         does not exist; fails when r[i] holds a plain value);
//   $xavp(r[i]=>f[j]) = v replaces f[j] in r[i];  $xavp(r[i]) = v replaces the value of r[i];
//   = $null               removes r[i] / f[j] (index 0 when none is given, all with [*]).
//   Reading: r[i] (0 by default; negative counts from the oldest); a structure reads as
//   "<<xavp>>"; r=>f reads f[0] of r[0]; a missing item is $null.
// $xavu(r) / $xavu(r=>f): one value per name, assignment replaces, $null removes.
// All measured against Kamailio 5.6.3 (see tests/unit/pv/xavp_test.cpp).
#pragma once

#include <string_view>

#include "pv/pv.h"

namespace siphon::pv {

// The list for the current message (emptied when a new message started).
XavpList& xavp_list(Ctx& ctx, bool unique);
// Adds a new root structure `root` (copied into the arena) and returns its node index.
int32_t xavp_add_struct(Ctx& ctx, std::string_view root);
// Adds field name=value (both copied) at the head of structure node `node`.
void xavp_add_field(Ctx& ctx, int32_t node, std::string_view name, const Value& v);
// $cnt($xavp(...)): roots named r, or fields f across all roots r.
int32_t xavp_count(Ctx& ctx, const PvSpec& spec);

void register_xavp(Registry& reg);

}  // namespace siphon::pv
