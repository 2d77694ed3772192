# Turns the file IN into a C++ source OUT defining siphon::kDefaultConfig.
file(READ ${IN} content)
set(delim "SIPHON_CFG_EMBED")
file(WRITE ${OUT} "// Generated from etc/siphon.cfg; do not edit.\n#include <string_view>\nnamespace siphon {\nextern const std::string_view kDefaultConfig;\nconst std::string_view kDefaultConfig = R\"${delim}(${content})${delim}\";\n}\n")
