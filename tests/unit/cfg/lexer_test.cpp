// Tests of the config lexer/preprocessor and of diagnostic formatting.
#include "cfg/lexer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace siphon::cfg {
namespace {

namespace fs = std::filesystem;

struct Lexed {
    SourceSet src;
    Diagnostics diag;
    std::vector<Token> toks;

    std::string errors() const { return diag.format(src, false); }
    // Tokens without the final End, as "kind:text" (text omitted for punctuation).
    std::vector<std::string> shape() const {
        std::vector<std::string> out;
        for (const Token& t : toks) {
            if (t.kind == Tok::End) break;
            std::string s(tok_name(t.kind));
            if (t.kind == Tok::Ident || t.kind == Tok::String || t.kind == Tok::Pv ||
                t.kind == Tok::Ipv4 || t.kind == Tok::Int || t.kind == Tok::Unknown) {
                s += ":" + t.text;
            }
            out.push_back(s);
        }
        return out;
    }
    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        for (const Token& t : toks) {
            if (t.kind != Tok::End) out.push_back(t.text);
        }
        return out;
    }
};

Lexed lex(const std::string& text, const LexOptions& opt = {}, const std::string& path = "t.cfg") {
    Lexed r;
    r.toks = lex_config(path, &text, opt, r.src, r.diag);
    return r;
}

using V = std::vector<std::string>;

// A scratch directory with helpers to write files into it; removed afterwards.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "siphon-lexer-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        char* p = mkdtemp(buf.data());
        if (p != nullptr) path_ = p;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    std::string write(const std::string& rel, const std::string& text) const {
        fs::path p = fs::path(path_) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

Lexed lex_file(const std::string& path, const LexOptions& opt = {}) {
    Lexed r;
    r.toks = lex_config(path, nullptr, opt, r.src, r.diag);
    return r;
}

// ---- basic tokens ----

TEST(CfgLexer, EmptyInputIsJustEnd) {
    Lexed r = lex("");
    ASSERT_EQ(r.toks.size(), 1u);
    EXPECT_EQ(r.toks[0].kind, Tok::End);
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgLexer, IdentifiersAndKeywords) {
    Lexed r = lex("route request_route _x9 if else");
    EXPECT_EQ(r.shape(), (V{"identifier:route", "identifier:request_route", "identifier:_x9",
                            "identifier:if", "identifier:else"}));
}

TEST(CfgLexer, DottedHostNamesAreOneIdentifier) {
    Lexed r = lex("sip.example.com a.1b _u.v x. y");
    EXPECT_EQ(r.shape(), (V{"identifier:sip.example.com", "identifier:a.1b", "identifier:_u",
                            "'.'", "identifier:v", "identifier:x", "'.'", "identifier:y"}));
}

TEST(CfgLexer, MinusIsNotPartOfIdentifiers) {
    Lexed r = lex("tm:local-request");
    EXPECT_EQ(r.shape(), (V{"identifier:tm", "':'", "identifier:local", "'-'",
                            "identifier:request"}));
    EXPECT_FALSE(r.toks[3].space_before);
    EXPECT_FALSE(r.toks[4].space_before);
}

TEST(CfgLexer, Ipv4Addresses) {
    Lexed r = lex("127.0.0.1 10.0.0.1:5060 1.2.3 1.2.3.4.5");
    EXPECT_EQ(r.shape(),
              (V{"IPv4 address:127.0.0.1", "IPv4 address:10.0.0.1", "':'", "integer:5060",
                 "integer:1", "'.'", "integer:2", "'.'", "integer:3", "integer:1", "'.'",
                 "integer:2", "'.'", "integer:3", "'.'", "integer:4", "'.'", "integer:5"}));
}

TEST(CfgLexer, IntegerFormats) {
    Lexed r = lex("0 42 0x10 0X1f 010 101b 0b 2147483648 99999999999999999999999");
    ASSERT_EQ(r.toks.size(), 10u);
    std::vector<int64_t> want = {0, 42, 16, 31, 8, 5, 0, 2147483648LL, INT64_MAX};
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(r.toks[i].kind, Tok::Int) << i;
        EXPECT_EQ(r.toks[i].ival, want[i]) << i;
    }
    EXPECT_EQ(r.toks[2].text, "0x10");
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgLexer, NumberFollowedByLetters) {
    Lexed r = lex("5060udp 0x 12ab");
    EXPECT_EQ(r.shape(), (V{"integer:5060", "identifier:udp", "integer:0", "identifier:x",
                            "integer:12", "identifier:ab"}));
    EXPECT_FALSE(r.toks[1].space_before);
}

TEST(CfgLexer, InvalidOctalIsAnError) {
    Lexed r = lex("debug=09");
    EXPECT_EQ(r.errors(), "t.cfg:1:7: error: invalid octal number: 09\n");
    EXPECT_EQ(r.toks[2].ival, 9);
}

TEST(CfgLexer, DoubleQuotedEscapes) {
    Lexed r = lex(R"("a\tb\nc\\d\"e\x41f\101g\qh\1")");
    ASSERT_EQ(r.toks[0].kind, Tok::String);
    EXPECT_EQ(r.toks[0].text, "a\tb\nc\\d\"eAfAg\\qh\\1");
}

TEST(CfgLexer, SingleQuotedStringsAreRaw) {
    Lexed r = lex(R"('a\tb' 'x\')");
    EXPECT_EQ(r.shape(), (V{"string:a\\tb", "string:x\\"}));
}

TEST(CfgLexer, StringsMaySpanLinesAndEscapeLineBreaks) {
    Lexed r = lex("\"multi\nline\" \"con\\\ntinued\" x");
    EXPECT_EQ(r.shape(), (V{"string:multi\nline", "string:continued", "identifier:x"}));
    EXPECT_EQ(r.toks[0].end.line, 2u);
    EXPECT_EQ(r.toks[0].end.col, 6u);
    EXPECT_EQ(r.toks[2].pos.line, 3u);
    EXPECT_FALSE(r.toks[2].line_start);
}

TEST(CfgLexer, AdjacentStringsAreNotConcatenated) {
    Lexed r = lex("\"a\" \"b\"'c'");
    EXPECT_EQ(r.shape(), (V{"string:a", "string:b", "string:c"}));
    EXPECT_FALSE(r.toks[2].space_before);
}

TEST(CfgLexer, UnterminatedStringReportsOpeningQuote) {
    Lexed r = lex("x = 1;\n$var(a) = \"abc\n");
    EXPECT_EQ(r.errors(), "t.cfg:2:11: error: unterminated string\n");
    Lexed r2 = lex("'abc");
    EXPECT_EQ(r2.errors(), "t.cfg:1:1: error: unterminated string\n");
}

TEST(CfgLexer, CommentCharsInsideStrings) {
    Lexed r = lex("\"// not # a /* comment\" 'x # y' # real\n");
    EXPECT_EQ(r.shape(), (V{"string:// not # a /* comment", "string:x # y"}));
}

TEST(CfgLexer, Comments) {
    Lexed r = lex("a # one\nb // two\nc /* three\n four */ d/**/e");
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b", "identifier:c", "identifier:d",
                            "identifier:e"}));
    EXPECT_EQ(r.toks[3].pos.line, 4u);
    EXPECT_TRUE(r.toks[4].space_before);  // a comment separates tokens
}

TEST(CfgLexer, BlockCommentsDoNotNest) {
    Lexed r = lex("/* a /* b */ c */");
    EXPECT_EQ(r.shape(), (V{"identifier:c", "'*'", "'/'"}));
}

TEST(CfgLexer, UnterminatedBlockComment) {
    Lexed r = lex("x\n  /* never closed\n");
    EXPECT_EQ(r.errors(), "t.cfg:2:3: error: unterminated comment\n");
}

TEST(CfgLexer, PseudoVariables) {
    Lexed r = lex("$var(x) $si $$ $? $(hdr(X){s.substr,1,2}[0]) $avp(i:1) $sht(t=>k) "
                  "$xavp(a[0]=>b) $T_reply_code $(var(x){re.subst,/(a)/b/}) $rc;");
    EXPECT_EQ(r.texts(), (V{"$var(x)", "$si", "$$", "$?", "$(hdr(X){s.substr,1,2}[0])",
                            "$avp(i:1)", "$sht(t=>k)", "$xavp(a[0]=>b)", "$T_reply_code",
                            "$(var(x){re.subst,/(a)/b/})", "$rc", ";"}));
    for (size_t i = 0; i + 2 < r.toks.size(); ++i) EXPECT_EQ(r.toks[i].kind, Tok::Pv) << i;
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgLexer, PseudoVariableQuotesDoNotHideParens) {
    // Only parentheses are counted, like Kamailio: a quote inside a transformation is text.
    Lexed r = lex("$(var(x){s.replace,',\"}) x");
    EXPECT_EQ(r.shape(), (V{"pseudo-variable:$(var(x){s.replace,',\"})", "identifier:x"}));
}

TEST(CfgLexer, UnbalancedPseudoVariable) {
    Lexed r = lex("x = $var(a;\ny");
    EXPECT_EQ(r.errors(), "t.cfg:1:5: error: unbalanced parentheses in pseudo-variable\n");
    EXPECT_EQ(r.shape().back(), "identifier:y");
}

TEST(CfgLexer, LoneDollar) {
    Lexed r = lex("$ x");
    EXPECT_EQ(r.errors(),
              "t.cfg:1:1: error: invalid pseudo-variable: '$' must be followed by a name or "
              "'('\n");
}

TEST(CfgLexer, Punctuation) {
    Lexed r = lex("( ) { } [ ] ; , : . = == != =~ !~ < > <= >= + - * / % | & ^ ~ << >> && || "
                  "! =>");
    std::vector<Tok> want = {
        Tok::LParen, Tok::RParen, Tok::LBrace, Tok::RBrace, Tok::LBracket, Tok::RBracket,
        Tok::Semi,   Tok::Comma,  Tok::Colon,  Tok::Dot,    Tok::Assign,   Tok::Eq,
        Tok::Ne,     Tok::Match,  Tok::NoMatch, Tok::Lt,    Tok::Gt,       Tok::Le,
        Tok::Ge,     Tok::Plus,   Tok::Minus,  Tok::Star,   Tok::Slash,    Tok::Percent,
        Tok::BitOr,  Tok::BitAnd, Tok::BitXor, Tok::BitNot, Tok::Shl,      Tok::Shr,
        Tok::LogAnd, Tok::LogOr,  Tok::Not,    Tok::Arrow,  Tok::End};
    ASSERT_EQ(r.toks.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.toks[i].kind, want[i]) << i;
    EXPECT_EQ(r.toks[11].text, "==");
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgLexer, UnknownCharacters) {
    Lexed r = lex(std::string("a @ \x01 b\0c", 9));
    EXPECT_EQ(r.shape(), (V{"identifier:a", "unexpected character:@",
                            std::string("unexpected character:\x01"), "identifier:b",
                            std::string("unexpected character:\0", 22), "identifier:c"}));
    EXPECT_EQ(r.errors(),
              "t.cfg:1:3: error: unexpected character '@'\n"
              "t.cfg:1:5: error: unexpected byte 0x01\n"
              "t.cfg:1:8: error: unexpected byte 0x00\n");
}

TEST(CfgLexer, PositionsAndFlags) {
    Lexed r = lex("a\tbb(c)\n  $x = 1;\n\ty");
    ASSERT_EQ(r.toks.size(), 11u);
    auto at = [&](size_t i, uint32_t l, uint32_t c, uint32_t el, uint32_t ec, bool sp, bool ls) {
        const Token& t = r.toks[i];
        EXPECT_EQ(t.pos.line, l) << i;
        EXPECT_EQ(t.pos.col, c) << i;
        EXPECT_EQ(t.end.line, el) << i;
        EXPECT_EQ(t.end.col, ec) << i;
        EXPECT_EQ(t.space_before, sp) << i;
        EXPECT_EQ(t.line_start, ls) << i;
    };
    at(0, 1, 1, 1, 2, true, true);     // a
    at(1, 1, 3, 1, 5, true, false);    // bb (tab is one column)
    at(2, 1, 5, 1, 6, false, false);   // (
    at(3, 1, 6, 1, 7, false, false);   // c
    at(4, 1, 7, 1, 8, false, false);   // )
    at(5, 2, 3, 2, 5, true, true);     // $x
    at(6, 2, 6, 2, 7, true, false);    // =
    at(7, 2, 8, 2, 9, true, false);    // 1
    at(8, 2, 9, 2, 10, false, false);  // ;
    at(9, 3, 2, 3, 3, true, true);     // y
    EXPECT_EQ(r.toks[10].kind, Tok::End);
}

TEST(CfgLexer, EscapedLineBreakOutsideStrings) {
    Lexed r = lex("a \\\n b");
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgLexer, HeaderLinesAndUnknownDirectivesAreComments) {
    Lexed r = lex("#!KAMAILIO\n#!SER\n#!SIPHON\n#!unknown stuff\n#!/bin/sh\nx");
    EXPECT_EQ(r.shape(), (V{"identifier:x"}));
    EXPECT_EQ(r.errors(), "");
}

// ---- defines ----

TEST(CfgPreproc, DefineReplacesIdentifiers) {
    Lexed r = lex("#!define MYINT 123\n#!define MYSTR \"xyz\"\n$var(x) = 100 + MYINT; s=MYSTR;");
    EXPECT_EQ(r.shape(), (V{"pseudo-variable:$var(x)", "'='", "integer:100", "'+'", "integer:123",
                            "';'", "identifier:s", "'='", "string:xyz", "';'"}));
}

TEST(CfgPreproc, ExpandedTokensCarryUseSitePosition) {
    Lexed r = lex("#!define V a + b\n  x = V;\n");
    ASSERT_EQ(r.toks.size(), 7u);
    for (size_t i = 2; i < 5; ++i) {
        EXPECT_EQ(r.toks[i].pos.line, 2u);
        EXPECT_EQ(r.toks[i].pos.col, 7u);
        EXPECT_EQ(r.toks[i].end.col, 8u);
    }
    EXPECT_TRUE(r.toks[2].space_before);
    EXPECT_TRUE(r.toks[3].space_before);
    EXPECT_FALSE(r.toks[5].space_before);  // the ';' right after the use
}

TEST(CfgPreproc, DefineNotExpandedInStrings) {
    Lexed r = lex("#!define NAME v\n\"NAME\" NAME 'NAME'");
    EXPECT_EQ(r.shape(), (V{"string:NAME", "identifier:v", "string:NAME"}));
}

TEST(CfgPreproc, EmptyDefineExpandsToNothing) {
    Lexed r = lex("#!define EMPTY\na EMPTY b\n#!define BLANK   \nBLANK\nEMPTY c");
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b", "identifier:c"}));
    EXPECT_TRUE(r.toks[2].line_start);
}

TEST(CfgPreproc, MultiLineDefine) {
    Lexed r = lex("#!define IDLOOP $var(i) = 0; \\\n    while($var(i)<5) { \\\n  x; \\\n }\n"
                  "route { IDLOOP }\nz");
    EXPECT_EQ(r.shape(), (V{"identifier:route", "'{'", "pseudo-variable:$var(i)", "'='",
                            "integer:0", "';'", "identifier:while", "'('",
                            "pseudo-variable:$var(i)", "'<'", "integer:5", "')'", "'{'",
                            "identifier:x", "';'", "'}'", "'}'", "identifier:z"}));
    EXPECT_EQ(r.toks.back().kind, Tok::End);
    EXPECT_EQ(r.toks[r.toks.size() - 2].pos.line, 6u);
}

TEST(CfgPreproc, RedefiningIsAnError) {
    Lexed r = lex("#!define A 1\n#!define A 2\nA");
    EXPECT_EQ(r.errors(), "t.cfg:2:10: error: already defined: A\n");
    EXPECT_EQ(r.shape(), (V{"integer:1"}));
}

TEST(CfgPreproc, TrydefAndRedefine) {
    Lexed r = lex("#!define A 1\n#!trydef A 2\n#!trydef B 3\nA B\n#!redefine A 4\n#!redef C 5\n"
                  "A C\n#!trydefine D 6\n#!def E 7\nD E");
    EXPECT_EQ(r.shape(), (V{"integer:1", "integer:3", "integer:4", "integer:5", "integer:6",
                            "integer:7"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, DoubleBangDirectives) {
    Lexed r = lex("!!define X 1\nX !!x !!ifdef X\ny\n!!endif\n");
    EXPECT_EQ(r.shape(), (V{"integer:1", "'!'", "'!'", "identifier:x", "identifier:y"}));
}

TEST(CfgPreproc, DirectiveInTheMiddleOfALine) {
    // Kamailio recognises directives wherever a token may start.
    Lexed r = lex("a; #!define FOO \"mid\"\nb=FOO;");
    EXPECT_EQ(r.shape(), (V{"identifier:a", "';'", "identifier:b", "'='", "string:mid", "';'"}));
}

TEST(CfgPreproc, RecursiveDefineIsReported) {
    Lexed r = lex("#!define A B\n#!define B A\nx A");
    EXPECT_EQ(r.errors(), "t.cfg:3:3: error: recursive define: A\n");
    EXPECT_EQ(r.shape(), (V{"identifier:x", "identifier:A"}));
}

TEST(CfgPreproc, FunctionLikeDefineIsStoredUnderItsName) {
    Lexed r = lex("#!define F(x) x+1\nF(2)");
    EXPECT_EQ(r.shape(), (V{"'('", "identifier:x", "')'", "identifier:x", "'+'", "integer:1",
                            "'('", "integer:2", "')'"}));
}

TEST(CfgPreproc, MinusInDefineName) {
    Lexed r = lex("#!define A-B 1\nx");
    EXPECT_EQ(r.errors(), "t.cfg:1:10: error: '-' not allowed in define name: A\n");
    EXPECT_EQ(r.shape(), (V{"identifier:x"}));
}

TEST(CfgPreproc, DefineInsideDottedName) {
    Lexed r = lex("#!define DOM example.com\n#!define H sip\nsip.DOM H.example.org a.b");
    EXPECT_EQ(r.shape(), (V{"identifier:sip", "'.'", "identifier:example.com", "identifier:sip",
                            "'.'", "identifier:example.org", "identifier:a.b"}));
    EXPECT_FALSE(r.toks[1].space_before);
    EXPECT_FALSE(r.toks[2].space_before);
    EXPECT_FALSE(r.toks[4].space_before);
}

TEST(CfgPreproc, CommandLineAndPredefinedNames) {
    LexOptions opt;
    opt.defines = {{"WITH_X", ""}, {"FLT", "7"}, {"DEFVAL", "\"str-val\""}};
    opt.predefined = {"KAMAILIO_5", "SIPHON"};
    Lexed r = lex("#!ifdef WITH_X\na\n#!endif\n#!ifdef SIPHON\nb\n#!endif\n"
                  "#!ifdef KAMAILIO\nc\n#!endif\nFLT DEFVAL",
                  opt);
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b", "integer:7", "string:str-val"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, ModuleNamesFromLoadmodule) {
    Lexed r = lex("loadmodule \"/usr/lib/kamailio/modules/xhttp.so\"\nloadmodule \"sl\"\n"
                  "loadmodule \"tm.so\"\n"
                  "#!ifdef MOD_xhttp\na\n#!endif\n#!ifdef MOD_sl\nb\n#!endif\n"
                  "#!ifdef MOD_tm\nc\n#!endif\n#!ifdef MOD_rr\nd\n#!endif\n");
    V s = r.shape();
    EXPECT_EQ(V(s.end() - 3, s.end()), (V{"identifier:a", "identifier:b", "identifier:c"}));
}

// ---- conditionals ----

TEST(CfgPreproc, IfdefElseEndifNest) {
    Lexed r = lex("#!define A\n"
                  "#!ifdef A\n a1\n #!ifndef B\n  b1\n  #!ifdef C\n   c1\n  #!else\n   c2\n"
                  "  #!endif\n #!else\n  b2\n #!endif\n#!else\n a2\n #!ifdef A\n  x\n #!endif\n"
                  "#!endif\nend");
    EXPECT_EQ(r.shape(), (V{"identifier:a1", "identifier:b1", "identifier:c2", "identifier:end"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, SkippedRegionIgnoresDirectivesOtherThanConditionals) {
    Lexed r = lex("#!ifdef NOPE\n#!define X 1\ninclude_file \"/nonexistent\"\n\"unterminated\n"
                  "#!endif\n#!ifdef X\nbad\n#!endif\nok");
    EXPECT_EQ(r.shape(), (V{"identifier:ok"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, MissingEndifNamesTheIfdef) {
    Lexed r = lex("a\n  #!ifdef X\nb\n#!ifndef Y\nc\n#!endif\n");
    EXPECT_EQ(r.errors(), "t.cfg:2:3: error: unterminated #!ifdef (missing #!endif)\n");
}

TEST(CfgPreproc, StrayEndifAndElse) {
    Lexed r = lex("a\n#!endif\n#!else\nb");
    EXPECT_EQ(r.errors(), "t.cfg:2:1: error: #!endif without matching #!ifdef\n"
                          "t.cfg:3:1: warning: #!else without matching #!ifdef\n");
    EXPECT_EQ(r.diag.error_count(), 1u);
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b"}));
}

TEST(CfgPreproc, EndifInsideCommentOfSkippedRegionCounts) {
    // Kamailio scans skipped text byte by byte for the conditional directives.
    Lexed r = lex("#!ifdef NOPE\nx // #!endif\ny\n");
    EXPECT_EQ(r.shape(), (V{"identifier:y"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, ElseOrEndifFollowedByTextIsAComment) {
    // Kamailio only takes #!else / #!endif alone on their line.
    Lexed r = lex("#!ifdef NOPE\na\n#!else # not a directive\nb\n#!endif\nc\n");
    EXPECT_EQ(r.shape(), (V{"identifier:c"}));
    Lexed r2 = lex("#!define A\n#!ifdef A\na\n#!else // x\nb\n#!endif # y\nc");
    EXPECT_EQ(r2.shape(), (V{"identifier:a", "identifier:b", "identifier:c"}));
    EXPECT_EQ(r2.errors(), "t.cfg:2:1: error: unterminated #!ifdef (missing #!endif)\n");
}

TEST(CfgPreproc, EndifOnLastLineWithoutNewline) {
    Lexed r = lex("#!ifdef NOPE\na\n#!endif");
    EXPECT_EQ(r.shape(), (V{}));
    EXPECT_EQ(r.errors(), "");
}

// ---- subst ----

TEST(CfgPreproc, SubstReplacesFirstMatchInStrings) {
    Lexed r = lex("#!subst \"/DBPASSWD/xyz/\"\n"
                  "modparam(\"acc\", \"db_url\", \"mysql://u:DBPASSWD@h/DBPASSWD\") DBPASSWD");
    EXPECT_EQ(r.texts(), (V{"modparam", "(", "acc", ",", "db_url", ",", "mysql://u:xyz@h/DBPASSWD",
                            ")", "DBPASSWD"}));
}

TEST(CfgPreproc, SubstGlobalAndFlags) {
    Lexed r = lex("#!subst \"/ab/X/g\"\n#!subst '/q(.)/<\\1>/i'\n\"abcab Qz\" $var(ab)");
    EXPECT_EQ(r.shape(), (V{"string:XcX <z>", "pseudo-variable:$var(X)"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, SubstOnlyAffectsLaterText) {
    Lexed r = lex("\"FOO\"\n#!subst \"/FOO/bar/\"\n\"FOO\"");
    EXPECT_EQ(r.shape(), (V{"string:FOO", "string:bar"}));
}

TEST(CfgPreproc, SubstdefAndSubstdefs) {
    Lexed r = lex("#!substdef \"/ZZ/qq/\"\n#!substdefs \"/YY/yy/\"\nZZ \"ZZ.ZZ\" YY \"xYY\"");
    EXPECT_EQ(r.shape(), (V{"identifier:qq", "string:qq.ZZ", "string:yy", "string:xyy"}));
}

TEST(CfgPreproc, BadSubstExpressions) {
    Lexed r = lex("#!subst \"/abc\"\n#!subst \"/a/b/z\"\n#!subst x\n#!subst \"/(/b/\"\n");
    EXPECT_EQ(r.errors(),
              "t.cfg:1:9: error: invalid #!subst expression: missing separator after the "
              "regular expression\n"
              "t.cfg:2:9: error: invalid #!subst expression: unknown flag 'z'\n"
              "t.cfg:3:1: error: #!subst expects a quoted \"/regex/replacement/flags\"\n"
              "t.cfg:4:9: error: invalid #!subst expression: bad regular expression '('\n");
}

// ---- defenv ----

TEST(CfgPreproc, Defenv) {
    ::setenv("SIPHON_LEXTEST_SET", "/root", 1);
    ::unsetenv("SIPHON_LEXTEST_UNSET");
    Lexed r = lex("#!defenv SIPHON_LEXTEST_SET\n#!defenv H=SIPHON_LEXTEST_SET\n"
                  "#!defenvs QH=SIPHON_LEXTEST_SET\nSIPHON_LEXTEST_SET H QH\n"
                  "#!defenv SIPHON_LEXTEST_UNSET\n#!defenvs X=SIPHON_LEXTEST_UNSET\n");
    EXPECT_EQ(r.shape(), (V{"'/'", "identifier:root", "'/'", "identifier:root", "string:/root"}));
    EXPECT_EQ(r.errors(),
              "t.cfg:5:10: error: environment variable not set: SIPHON_LEXTEST_UNSET\n"
              "t.cfg:6:11: error: environment variable not set: SIPHON_LEXTEST_UNSET\n");
}

TEST(CfgPreproc, DefenvIgnoresTrailingText) {
    ::setenv("SIPHON_LEXTEST_SET", "7", 1);
    Lexed r = lex("#!defenv V=SIPHON_LEXTEST_SET # comment\nV");
    EXPECT_EQ(r.shape(), (V{"integer:7"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, CrLfLineEndings) {
    Lexed r = lex("#!define A 1 + \\\r\n 2\r\n#!ifdef A\r\nx = A;\r\n#!else\r\ny\r\n"
                  "#!endif\r\n\"s\"\r\n");
    EXPECT_EQ(r.shape(), (V{"identifier:x", "'='", "integer:1", "'+'", "integer:2", "';'",
                            "string:s"}));
    EXPECT_EQ(r.errors(), "");
}

TEST(CfgPreproc, TryDefenv) {
    ::setenv("SIPHON_LEXTEST_SET", "1", 1);
    ::unsetenv("SIPHON_LEXTEST_UNSET");
    Lexed r = lex("#!trydefenv SIPHON_LEXTEST_UNSET\n#!trydefenvs S=SIPHON_LEXTEST_SET\n"
                  "#!ifdef SIPHON_LEXTEST_UNSET\nno\n#!endif\nS");
    EXPECT_EQ(r.shape(), (V{"string:1"}));
    EXPECT_EQ(r.errors(), "");
}

// ---- include / import ----

TEST(CfgInclude, RelativeToIncludingFile) {
    TempDir d;
    d.write("sub/inc.cfg", "b;\ninclude_file \"deeper/two.cfg\"\n");
    d.write("sub/deeper/two.cfg", "c\n");
    std::string main = d.write("main.cfg", "a\ninclude_file \"sub/inc.cfg\" d\ne");
    Lexed r = lex_file(main);
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b", "';'", "identifier:c",
                            "identifier:d", "identifier:e"}));
    EXPECT_EQ(r.errors(), "");
    ASSERT_EQ(r.src.size(), 3u);
    EXPECT_EQ(r.src.name(r.toks[1].pos.file), d.path() + "/sub/inc.cfg");
    EXPECT_EQ(r.toks[1].pos.line, 1u);
    EXPECT_EQ(r.src.name(r.toks[3].pos.file), d.path() + "/sub/deeper/two.cfg");
    EXPECT_EQ(r.toks[4].pos.file, r.toks[0].pos.file);
    EXPECT_TRUE(r.toks[4].space_before);
}

TEST(CfgInclude, DirectiveSpellings) {
    TempDir d;
    d.write("x.cfg", "x\n");
    std::string main = d.write("main.cfg", "#!include_file \"x.cfg\"\n!!include_file \"x.cfg\"\n"
                                           "#!import_file \"x.cfg\"\nimport_file \"x.cfg\"\n");
    Lexed r = lex_file(main);
    EXPECT_EQ(r.shape(), (V{"identifier:x", "identifier:x", "identifier:x", "identifier:x"}));
}

TEST(CfgInclude, MissingIncludeIsAnErrorMissingImportIsNot) {
    TempDir d;
    std::string main =
        d.write("main.cfg", "a\n  include_file \"nope.cfg\"\nimport_file \"nope2.cfg\"\nb");
    Lexed r = lex_file(main);
    EXPECT_EQ(r.errors(), main + ":2:3: error: cannot open included file: nope.cfg\n");
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b"}));
}

TEST(CfgInclude, RecursiveIncludeIsReported) {
    TempDir d;
    d.write("a.cfg", "a\ninclude_file \"b.cfg\"\n");
    d.write("b.cfg", "b\ninclude_file \"a.cfg\"\n");
    std::string main = d.write("main.cfg", "include_file \"a.cfg\"\nend");
    Lexed r = lex_file(main);
    EXPECT_EQ(r.errors(), d.path() + "/b.cfg:2:1: error: recursive include: a.cfg\n");
    EXPECT_EQ(r.shape(), (V{"identifier:a", "identifier:b", "identifier:end"}));
}

TEST(CfgInclude, IncludeFromTextOverrideUsesPathDirectory) {
    TempDir d;
    d.write("local.cfg", "#!define LOCAL 1\n");
    std::string text = "import_file \"local.cfg\"\nLOCAL";
    Lexed r = lex(text, {}, d.path() + "/virtual.cfg");
    EXPECT_EQ(r.shape(), (V{"integer:1"}));
}

TEST(CfgInclude, DepthLimit) {
    TempDir d;
    for (int i = 1; i <= 20; ++i) {
        std::string n = std::to_string(i);
        std::string next = std::to_string(i + 1);
        d.write("f" + n + ".cfg", "x" + n + "\ninclude_file \"f" + next + ".cfg\"\n");
    }
    std::string main = d.write("main.cfg", "include_file \"f1.cfg\"\n");
    Lexed r = lex_file(main);
    // main + 16 nested files are read; the 16th file's include is refused.
    EXPECT_EQ(r.errors(), d.path() + "/f16.cfg:2:1: error: includes nested too deeply (limit 16): "
                                     "f17.cfg\n");
    EXPECT_EQ(r.shape().size(), 16u);
    EXPECT_EQ(r.shape().back(), "identifier:x16");
}

TEST(CfgInclude, IncludeNameMustBeQuoted) {
    Lexed r = lex("include_file x.cfg\n");
    EXPECT_EQ(r.errors(), "t.cfg:1:1: error: include_file expects a quoted file name\n");
}

TEST(CfgInclude, UnreadableMainFile) {
    Lexed r = lex_file("/nonexistent/siphon/main.cfg");
    EXPECT_EQ(r.errors(), "/nonexistent/siphon/main.cfg: error: cannot open config file: "
                          "No such file or directory\n");
    ASSERT_EQ(r.toks.size(), 1u);
    EXPECT_EQ(r.toks[0].kind, Tok::End);
}

// ---- diagnostics ----

TEST(CfgDiag, FormatWithSourceLineAndCaret) {
    Lexed r = lex("x = 1;\n\tfoo(\"abc);\n");
    EXPECT_EQ(r.diag.format(r.src),
              "t.cfg:2:6: error: unterminated string\n"
              "\tfoo(\"abc);\n"
              "\t    ^\n");
}

TEST(CfgDiag, MessagesAreVerbatimAndWarningsLabelled) {
    SourceSet src;
    uint32_t id = src.add("f.cfg", "a %s %n\r\nb\n");
    Diagnostics d;
    d.warning({id, 1, 3}, "100% %s %n");
    d.error({id, 0, 0}, "whole file");
    d.error({7, 1, 1}, "no file");
    EXPECT_EQ(d.format(src), "f.cfg:1:3: warning: 100% %s %n\na %s %n\n  ^\n"
                             "f.cfg: error: whole file\n"
                             "error: no file\n");
    EXPECT_EQ(d.error_count(), 2u);
}

TEST(CfgDiag, LineText) {
    SourceSet src;
    uint32_t id = src.add("f", "one\r\ntwo\n\nfour");
    EXPECT_EQ(src.line_text(id, 1), "one");
    EXPECT_EQ(src.line_text(id, 2), "two");
    EXPECT_EQ(src.line_text(id, 3), "");
    EXPECT_EQ(src.line_text(id, 4), "four");
    EXPECT_EQ(src.line_text(id, 5), "");
    EXPECT_EQ(src.line_text(id, 0), "");
    EXPECT_EQ(src.line_text(9, 1), "");
}

TEST(CfgDiag, LongLinesAreShownAsAWindow) {
    std::string line(1000, 'a');
    line[600] = '@';
    Lexed r = lex(line);
    std::string out = r.diag.format(r.src);
    EXPECT_EQ(out.substr(0, out.find('\n')), "t.cfg:1:601: error: unexpected character '@'");
    EXPECT_LT(out.size(), 600u);
    size_t caret = out.rfind('^');
    size_t line_start = out.rfind('\n', caret) + 1;
    size_t src_start = out.find('\n') + 1;
    EXPECT_EQ(out[src_start + (caret - line_start)], '@');
}

// ---- robustness ----

TEST(CfgLexer, ErrorsDoNotStopLexing) {
    Lexed r = lex("a @ b\n$( c\n#!endif\nd \"e");
    EXPECT_EQ(r.diag.error_count(), 4u);
    V s = r.shape();
    EXPECT_EQ(s.front(), "identifier:a");
    EXPECT_EQ(r.toks.back().kind, Tok::End);
    EXPECT_NE(std::find(s.begin(), s.end(), "identifier:d"), s.end());
}

TEST(CfgLexer, BinaryJunkDoesNotCrash) {
    std::string junk;
    for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 131 + 7) & 0xff);
    Lexed r = lex(junk);
    EXPECT_EQ(r.toks.back().kind, Tok::End);
    EXPECT_GT(r.diag.error_count(), 0u);
}

TEST(CfgPreproc, ExponentialDefinesAreBounded) {
    std::string text = "#!define D0 x x\n";
    for (int i = 1; i < 40; ++i) {
        text += "#!define D" + std::to_string(i) + " D" + std::to_string(i - 1) + " D" +
                std::to_string(i - 1) + "\n";
    }
    text += "D39\n";
    Lexed r = lex(text);
    EXPECT_EQ(r.errors().rfind("t.cfg:41:1: error: define expansion too large: D", 0), 0u)
        << r.errors();
    EXPECT_EQ(r.diag.error_count(), 1u);
    EXPECT_EQ(r.toks.back().kind, Tok::End);
}

}  // namespace
}  // namespace siphon::cfg
