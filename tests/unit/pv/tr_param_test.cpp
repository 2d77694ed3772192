// Tests of the parameter-list transformations ({param.*}). Expected values are those of
// Kamailio 5.6.3 (its SIP parameter parser decides what is a valid list), plus argument checks
// (empty or multi-char separators, empty names) that Kamailio's config parser rejects.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string>

#include "core/arena.h"
#include "core/value.h"
#include "pv/transform_defs.h"
#include "tr_table.h"

namespace siphon::pv {
namespace {

using namespace trtest;

const TrDef* find_tr(std::string_view name) { return find_in(param_transformations(), name); }

void run(std::initializer_list<TrCase> cases) { run_table(param_transformations(), "param", cases); }


// Names compare case-insensitively, the last duplicate wins, positions count from 0
// (negative from the end), out-of-range positions give "".
TEST(TrParam, Basics) {
    run({
        Ok("value", S("a=1;b=2;c=3"), {S("b")}, S("2")),
        Ok("value", S("a=1;b=2;c=3"), {S("a")}, S("1")),
        Ok("in", S("a=1;b=2;c=3"), {S("b")}, I(1)),
        Ok("count", S("a=1;b=2;c=3"), {}, I(3)),
        Ok("name", S("a=1;b=2;c=3"), {I(0)}, S("a")),
        Ok("name", S("a=1;b=2;c=3"), {I(1)}, S("b")),
        Ok("name", S("a=1;b=2;c=3"), {I(-1)}, S("c")),
        Ok("valueat", S("a=1;b=2;c=3"), {I(0)}, S("1")),
        Ok("valueat", S("a=1;b=2;c=3"), {I(1)}, S("2")),
        Ok("valueat", S("a=1;b=2;c=3"), {I(-1)}, S("3")),
        Ok("valueat", S("a=1;b=2;c=3"), {I(5)}, S("")),
        Ok("name", S("a=1;b=2;c=3"), {I(-5)}, S("")),
        Ok("value", S("a=1;B=2;b=3"), {S("b")}, S("3")),
        Ok("value", S("a=1;B=2;b=3"), {S("a")}, S("1")),
        Ok("in", S("a=1;B=2;b=3"), {S("b")}, I(1)),
        Ok("count", S("a=1;B=2;b=3"), {}, I(3)),
        Ok("name", S("a=1;B=2;b=3"), {I(0)}, S("a")),
        Ok("name", S("a=1;B=2;b=3"), {I(1)}, S("B")),
        Ok("name", S("a=1;B=2;b=3"), {I(-1)}, S("b")),
        Ok("valueat", S("a=1;B=2;b=3"), {I(0)}, S("1")),
        Ok("valueat", S("a=1;B=2;b=3"), {I(1)}, S("2")),
        Ok("valueat", S("a=1;B=2;b=3"), {I(-1)}, S("3")),
        Ok("valueat", S("a=1;B=2;b=3"), {I(5)}, S("")),
        Ok("name", S("a=1;B=2;b=3"), {I(-5)}, S("")),
        Ok("value", S("a=1;b=2;b=3;c=4"), {S("b")}, S("3")),
        Ok("value", S("a=1;b=2;b=3;c=4"), {S("a")}, S("1")),
        Ok("in", S("a=1;b=2;b=3;c=4"), {S("b")}, I(1)),
        Ok("count", S("a=1;b=2;b=3;c=4"), {}, I(4)),
        Ok("name", S("a=1;b=2;b=3;c=4"), {I(0)}, S("a")),
        Ok("name", S("a=1;b=2;b=3;c=4"), {I(1)}, S("b")),
        Ok("name", S("a=1;b=2;b=3;c=4"), {I(-1)}, S("c")),
        Ok("valueat", S("a=1;b=2;b=3;c=4"), {I(0)}, S("1")),
        Ok("valueat", S("a=1;b=2;b=3;c=4"), {I(1)}, S("2")),
        Ok("valueat", S("a=1;b=2;b=3;c=4"), {I(-1)}, S("4")),
        Ok("valueat", S("a=1;b=2;b=3;c=4"), {I(5)}, S("")),
        Ok("name", S("a=1;b=2;b=3;c=4"), {I(-5)}, S("")),
        Ok("value", S("a=1;b=2;c=3;"), {S("b")}, S("2")),
        Ok("value", S("a=1;b=2;c=3;"), {S("a")}, S("1")),
        Ok("in", S("a=1;b=2;c=3;"), {S("b")}, I(1)),
        Ok("count", S("a=1;b=2;c=3;"), {}, I(3)),
        Ok("name", S("a=1;b=2;c=3;"), {I(0)}, S("a")),
        Ok("name", S("a=1;b=2;c=3;"), {I(1)}, S("b")),
        Ok("name", S("a=1;b=2;c=3;"), {I(-1)}, S("c")),
        Ok("valueat", S("a=1;b=2;c=3;"), {I(0)}, S("1")),
        Ok("valueat", S("a=1;b=2;c=3;"), {I(1)}, S("2")),
        Ok("valueat", S("a=1;b=2;c=3;"), {I(-1)}, S("3")),
        Ok("valueat", S("a=1;b=2;c=3;"), {I(5)}, S("")),
        Ok("name", S("a=1;b=2;c=3;"), {I(-5)}, S("")),
        Ok("value", S("a=\303\251;b=2"), {S("b")}, S("2")),
        Ok("value", S("a=\303\251;b=2"), {S("a")}, S("\303\251")),
        Ok("in", S("a=\303\251;b=2"), {S("b")}, I(1)),
        Ok("count", S("a=\303\251;b=2"), {}, I(2)),
        Ok("name", S("a=\303\251;b=2"), {I(0)}, S("a")),
        Ok("name", S("a=\303\251;b=2"), {I(1)}, S("b")),
        Ok("name", S("a=\303\251;b=2"), {I(-1)}, S("b")),
        Ok("valueat", S("a=\303\251;b=2"), {I(0)}, S("\303\251")),
        Ok("valueat", S("a=\303\251;b=2"), {I(1)}, S("2")),
        Ok("valueat", S("a=\303\251;b=2"), {I(-1)}, S("2")),
        Ok("valueat", S("a=\303\251;b=2"), {I(5)}, S("")),
        Ok("name", S("a=\303\251;b=2"), {I(-5)}, S("")),
        Ok("value", S("a=1;b=2;c=3"), {S("c")}, S("3")),
        Ok("value", S("a=1;b=2;c=3"), {S("C")}, S("3")),
        Ok("value", S("a=1;b=2;c=3"), {S("x")}, S("")),
        Ok("in", S("a=1;b=2;c=3"), {S("x")}, I(0)),
        Ok("valueat", S("a=1;b=2;c=3"), {I(-3)}, S("1")),
        Ok("valueat", S("a=1;b=2;c=3"), {I(-4)}, S("")),
        Ok("name", S("a=1;b=2;c=3"), {I(2)}, S("c")),
        Ok("name", S("a=1;b=2;c=3"), {I(3)}, S("")),
        Ok("value", S("a=1;b=2;c=3"), {S("a=1")}, S("")),
    });
}

// A name without '=' has an empty value; empty names are parameters too.
TEST(TrParam, NamesWithoutValues) {
    run({
        Ok("value", S("a"), {S("b")}, S("")),
        Ok("value", S("a"), {S("a")}, S("")),
        Ok("in", S("a"), {S("b")}, I(0)),
        Ok("count", S("a"), {}, I(1)),
        Ok("name", S("a"), {I(0)}, S("a")),
        Ok("name", S("a"), {I(1)}, S("")),
        Ok("name", S("a"), {I(-1)}, S("a")),
        Ok("valueat", S("a"), {I(0)}, S("")),
        Ok("valueat", S("a"), {I(1)}, S("")),
        Ok("valueat", S("a"), {I(-1)}, S("")),
        Ok("valueat", S("a"), {I(5)}, S("")),
        Ok("name", S("a"), {I(-5)}, S("")),
        Ok("value", S("a;b=2"), {S("b")}, S("2")),
        Ok("value", S("a;b=2"), {S("a")}, S("")),
        Ok("in", S("a;b=2"), {S("b")}, I(1)),
        Ok("count", S("a;b=2"), {}, I(2)),
        Ok("name", S("a;b=2"), {I(0)}, S("a")),
        Ok("name", S("a;b=2"), {I(1)}, S("b")),
        Ok("name", S("a;b=2"), {I(-1)}, S("b")),
        Ok("valueat", S("a;b=2"), {I(0)}, S("")),
        Ok("valueat", S("a;b=2"), {I(1)}, S("2")),
        Ok("valueat", S("a;b=2"), {I(-1)}, S("2")),
        Ok("valueat", S("a;b=2"), {I(5)}, S("")),
        Ok("name", S("a;b=2"), {I(-5)}, S("")),
        Ok("value", S("a=1;b"), {S("b")}, S("")),
        Ok("value", S("a=1;b"), {S("a")}, S("1")),
        Ok("in", S("a=1;b"), {S("b")}, I(1)),
        Ok("count", S("a=1;b"), {}, I(2)),
        Ok("name", S("a=1;b"), {I(0)}, S("a")),
        Ok("name", S("a=1;b"), {I(1)}, S("b")),
        Ok("name", S("a=1;b"), {I(-1)}, S("b")),
        Ok("valueat", S("a=1;b"), {I(0)}, S("1")),
        Ok("valueat", S("a=1;b"), {I(1)}, S("")),
        Ok("valueat", S("a=1;b"), {I(-1)}, S("")),
        Ok("valueat", S("a=1;b"), {I(5)}, S("")),
        Ok("name", S("a=1;b"), {I(-5)}, S("")),
        Ok("value", S(";a=1"), {S("b")}, S("")),
        Ok("value", S(";a=1"), {S("a")}, S("1")),
        Ok("in", S(";a=1"), {S("b")}, I(0)),
        Ok("count", S(";a=1"), {}, I(2)),
        Ok("name", S(";a=1"), {I(0)}, S("")),
        Ok("name", S(";a=1"), {I(1)}, S("a")),
        Ok("name", S(";a=1"), {I(-1)}, S("a")),
        Ok("valueat", S(";a=1"), {I(0)}, S("")),
        Ok("valueat", S(";a=1"), {I(1)}, S("1")),
        Ok("valueat", S(";a=1"), {I(-1)}, S("1")),
        Ok("valueat", S(";a=1"), {I(5)}, S("")),
        Ok("name", S(";a=1"), {I(-5)}, S("")),
        Ok("value", S("a=1;;b=2"), {S("b")}, S("2")),
        Ok("value", S("a=1;;b=2"), {S("a")}, S("1")),
        Ok("in", S("a=1;;b=2"), {S("b")}, I(1)),
        Ok("count", S("a=1;;b=2"), {}, I(3)),
        Ok("name", S("a=1;;b=2"), {I(0)}, S("a")),
        Ok("name", S("a=1;;b=2"), {I(1)}, S("")),
        Ok("name", S("a=1;;b=2"), {I(-1)}, S("b")),
        Ok("valueat", S("a=1;;b=2"), {I(0)}, S("1")),
        Ok("valueat", S("a=1;;b=2"), {I(1)}, S("")),
        Ok("valueat", S("a=1;;b=2"), {I(-1)}, S("2")),
        Ok("valueat", S("a=1;;b=2"), {I(5)}, S("")),
        Ok("name", S("a=1;;b=2"), {I(-5)}, S("")),
        Ok("value", S("=1;b=2"), {S("b")}, S("2")),
        Ok("value", S("=1;b=2"), {S("a")}, S("")),
        Ok("in", S("=1;b=2"), {S("b")}, I(1)),
        Ok("count", S("=1;b=2"), {}, I(2)),
        Ok("name", S("=1;b=2"), {I(0)}, S("")),
        Ok("name", S("=1;b=2"), {I(1)}, S("b")),
        Ok("name", S("=1;b=2"), {I(-1)}, S("b")),
        Ok("valueat", S("=1;b=2"), {I(0)}, S("1")),
        Ok("valueat", S("=1;b=2"), {I(1)}, S("2")),
        Ok("valueat", S("=1;b=2"), {I(-1)}, S("2")),
        Ok("valueat", S("=1;b=2"), {I(5)}, S("")),
        Ok("name", S("=1;b=2"), {I(-5)}, S("")),
    });
}

// Whitespace is skipped around '=' and the separator, but not before the first name;
// text after a value that is not the separator fails the whole list.
TEST(TrParam, Whitespace) {
    run({
        Ok("count", S("a = 1 ; b = 2"), {}, I(2)),
        Ok("value", S("a = 1 ; b = 2"), {S("a")}, S("1")),
        Ok("value", S("a = 1 ; b = 2"), {S("b")}, S("2")),
        Err("count", S(" a=1"), {}),
        Err("value", S(" a=1"), {S("a")}),
        Err("value", S(" a=1"), {S("b")}),
        Ok("count", S("a=1 "), {}, I(1)),
        Ok("value", S("a=1 "), {S("a")}, S("1")),
        Ok("value", S("a=1 "), {S("b")}, S("")),
        Ok("count", S("a=1 ;b=2"), {}, I(2)),
        Ok("value", S("a=1 ;b=2"), {S("a")}, S("1")),
        Ok("value", S("a=1 ;b=2"), {S("b")}, S("2")),
        Ok("count", S("a =1"), {}, I(1)),
        Ok("value", S("a =1"), {S("a")}, S("1")),
        Ok("value", S("a =1"), {S("b")}, S("")),
        Ok("count", S("a= 1"), {}, I(1)),
        Ok("value", S("a= 1"), {S("a")}, S("1")),
        Ok("value", S("a= 1"), {S("b")}, S("")),
        Ok("count", S("a=1;\011b=2"), {}, I(2)),
        Ok("value", S("a=1;\011b=2"), {S("a")}, S("1")),
        Ok("value", S("a=1;\011b=2"), {S("b")}, S("2")),
        Err("count", S("a=1\011b=2"), {}),
        Err("value", S("a=1\011b=2"), {S("a")}),
        Err("value", S("a=1\011b=2"), {S("b")}),
        Err("count", S("a\011b"), {}),
        Err("value", S("a\011b"), {S("a")}),
        Err("value", S("a\011b"), {S("b")}),
        Ok("count", S("a=1;b=2\015\012"), {}, I(2)),
        Ok("value", S("a=1;b=2\015\012"), {S("a")}, S("1")),
        Ok("value", S("a=1;b=2\015\012"), {S("b")}, S("2")),
        Ok("count", S("a=1\015\012;b=2"), {}, I(2)),
        Ok("value", S("a=1\015\012;b=2"), {S("a")}, S("1")),
        Ok("value", S("a=1\015\012;b=2"), {S("b")}, S("2")),
        Err("count", S(" a = 1 ; b = 2 "), {}),
        Err("value", S(" a = 1 ; b = 2 "), {S("a")}),
        Err("value", S(" a = 1 ; b = 2 "), {S("b")}),
        Err("count", S("a=x y;b=2"), {}),
        Err("value", S("a=x y;b=2"), {S("a")}),
        Err("value", S("a=x y;b=2"), {S("b")}),
    });
}

// Quoted values lose their quotes; there are no escapes inside quotes.
TEST(TrParam, Quoting) {
    run({
        Ok("count", S("a=\"x y\";b=2"), {}, I(2)),
        Ok("value", S("a=\"x y\";b=2"), {S("a")}, S("x y")),
        Ok("value", S("a=\"x y\";b=2"), {S("b")}, S("2")),
        Ok("name", S("a=\"x y\";b=2"), {I(-1)}, S("b")),
        Ok("count", S("a='x';b=2"), {}, I(2)),
        Ok("value", S("a='x';b=2"), {S("a")}, S("x")),
        Ok("value", S("a='x';b=2"), {S("b")}, S("2")),
        Ok("name", S("a='x';b=2"), {I(-1)}, S("b")),
        Ok("count", S("a=\"x\" ;b=2"), {}, I(2)),
        Ok("value", S("a=\"x\" ;b=2"), {S("a")}, S("x")),
        Ok("value", S("a=\"x\" ;b=2"), {S("b")}, S("2")),
        Ok("name", S("a=\"x\" ;b=2"), {I(-1)}, S("b")),
        Err("count", S("a=\"x\"y;b=2"), {}),
        Err("value", S("a=\"x\"y;b=2"), {S("a")}),
        Err("value", S("a=\"x\"y;b=2"), {S("b")}),
        Err("name", S("a=\"x\"y;b=2"), {I(-1)}),
        Ok("count", S("a=\"\";b=2"), {}, I(2)),
        Ok("value", S("a=\"\";b=2"), {S("a")}, S("")),
        Ok("value", S("a=\"\";b=2"), {S("b")}, S("2")),
        Ok("name", S("a=\"\";b=2"), {I(-1)}, S("b")),
        Err("count", S("a=\""), {}),
        Err("value", S("a=\""), {S("a")}),
        Err("value", S("a=\""), {S("b")}),
        Err("name", S("a=\""), {I(-1)}),
        Err("count", S("a=\"x"), {}),
        Err("value", S("a=\"x"), {S("a")}),
        Err("value", S("a=\"x"), {S("b")}),
        Err("name", S("a=\"x"), {I(-1)}),
        Err("count", S("a='x\";b=2"), {}),
        Err("value", S("a='x\";b=2"), {S("a")}),
        Err("value", S("a='x\";b=2"), {S("b")}),
        Err("name", S("a='x\";b=2"), {I(-1)}),
        Err("count", S("a=\"q\\\"x\";b=2"), {}),
        Err("value", S("a=\"q\\\"x\";b=2"), {S("a")}),
        Err("value", S("a=\"q\\\"x\";b=2"), {S("b")}),
        Err("name", S("a=\"q\\\"x\";b=2"), {I(-1)}),
        Ok("count", S("a\"b=1"), {}, I(1)),
        Ok("value", S("a\"b=1"), {S("a")}, S("")),
        Ok("value", S("a\"b=1"), {S("b")}, S("")),
        Ok("name", S("a\"b=1"), {I(-1)}, S("a\"b")),
        Ok("count", S("a=\"x;y\";b=2"), {}, I(2)),
        Ok("value", S("a=\"x;y\";b=2"), {S("a")}, S("x;y")),
        Ok("value", S("a=\"x;y\";b=2"), {S("b")}, S("2")),
        Ok("name", S("a=\"x;y\";b=2"), {I(-1)}, S("b")),
    });
}

// "a=" at the end is an empty value, "a=;" is an error; one trailing separator is
// ignored, two are an error; "" fails.
TEST(TrParam, EmptyValuesAndErrors) {
    run({
        Err("count", S("a=;b=2"), {}),
        Err("value", S("a=;b=2"), {S("a")}),
        Err("value", S("a=;b=2"), {S("b")}),
        Ok("count", S("a=1;b="), {}, I(2)),
        Ok("value", S("a=1;b="), {S("a")}, S("1")),
        Ok("value", S("a=1;b="), {S("b")}, S("")),
        Ok("count", S("a="), {}, I(1)),
        Ok("value", S("a="), {S("a")}, S("")),
        Ok("value", S("a="), {S("b")}, S("")),
        Ok("count", S("a= "), {}, I(1)),
        Ok("value", S("a= "), {S("a")}, S("")),
        Ok("value", S("a= "), {S("b")}, S("")),
        Ok("count", S("a=1;b= "), {}, I(2)),
        Ok("value", S("a=1;b= "), {S("a")}, S("1")),
        Ok("value", S("a=1;b= "), {S("b")}, S("")),
        Err("count", S("a=1; "), {}),
        Err("value", S("a=1; "), {S("a")}),
        Err("value", S("a=1; "), {S("b")}),
        Err("count", S("a=1;b=2; "), {}),
        Err("value", S("a=1;b=2; "), {S("a")}),
        Err("value", S("a=1;b=2; "), {S("b")}),
        Err("count", S("a=1 ; "), {}),
        Err("value", S("a=1 ; "), {S("a")}),
        Err("value", S("a=1 ; "), {S("b")}),
        Err("count", S("a=1;;"), {}),
        Err("value", S("a=1;;"), {S("a")}),
        Err("value", S("a=1;;"), {S("b")}),
        Err("count", S(";;"), {}),
        Err("value", S(";;"), {S("a")}),
        Err("value", S(";;"), {S("b")}),
        Err("count", S(";"), {}),
        Err("value", S(";"), {S("a")}),
        Err("value", S(";"), {S("b")}),
        Err("count", S(""), {}),
        Err("value", S(""), {S("a")}),
        Err("value", S(""), {S("b")}),
        Ok("count", S("a==1;b=2"), {}, I(2)),
        Ok("value", S("a==1;b=2"), {S("a")}, S("=1")),
        Ok("value", S("a==1;b=2"), {S("b")}, S("2")),
        Ok("count", S("a=1=2;b=3"), {}, I(2)),
        Ok("value", S("a=1=2;b=3"), {S("a")}, S("1=2")),
        Ok("value", S("a=1=2;b=3"), {S("b")}, S("3")),
    });
}

// ',' and '>' after a parameter end the list (the SIP header and URI parsers' rules).
TEST(TrParam, CommaAndAngleEndTheList) {
    run({
        Ok("count", S("a=1,b=2"), {}, I(1)),
        Ok("value", S("a=1,b=2"), {S("a")}, S("1")),
        Ok("value", S("a=1,b=2"), {S("b")}, S("")),
        Ok("name", S("a=1,b=2"), {I(-1)}, S("a")),
        Ok("count", S("a=1>b=2"), {}, I(1)),
        Ok("value", S("a=1>b=2"), {S("a")}, S("1>b=2")),
        Ok("value", S("a=1>b=2"), {S("b")}, S("")),
        Ok("name", S("a=1>b=2"), {I(-1)}, S("a")),
        Ok("count", S("a=1>2;b=3"), {}, I(2)),
        Ok("value", S("a=1>2;b=3"), {S("a")}, S("1>2")),
        Ok("value", S("a=1>2;b=3"), {S("b")}, S("3")),
        Ok("name", S("a=1>2;b=3"), {I(-1)}, S("b")),
        Ok("count", S("a=1&b=2,c=3"), {}, I(1)),
        Ok("value", S("a=1&b=2,c=3"), {S("a")}, S("1&b=2")),
        Ok("value", S("a=1&b=2,c=3"), {S("b")}, S("")),
        Ok("name", S("a=1&b=2,c=3"), {I(-1)}, S("a")),
        Ok("count", S("a=1;b=2>c=3"), {}, I(2)),
        Ok("value", S("a=1;b=2>c=3"), {S("a")}, S("1")),
        Ok("value", S("a=1;b=2>c=3"), {S("b")}, S("2>c=3")),
        Ok("name", S("a=1;b=2>c=3"), {I(-1)}, S("b")),
    });
}

// The separator argument must be one character (default ';').
TEST(TrParam, Separators) {
    run({
        Ok("value", S("q=1&b=two%20w&c"), {S("b"), S("&")}, S("two%20w")),
        Ok("value", S("q=1&b=two%20w&c"), {S("c"), S("&")}, S("")),
        Ok("in", S("q=1&b=two%20w&c"), {S("c"), S("&")}, I(1)),
        Ok("count", S("q=1&b=two%20w&c"), {S("&")}, I(3)),
        Ok("name", S("q=1&b=two%20w&c"), {I(1), S("&")}, S("b")),
        Ok("valueat", S("q=1&b=two%20w&c"), {I(1), S("&")}, S("two%20w")),
        Ok("value", S("q=1&b=two%20w&c"), {S("x"), S("&")}, S("")),
        Ok("value", S("q=1&b=two%20w&c"), {S("a"), S("&")}, S("")),
        Ok("value", S("b=first&b=second"), {S("b"), S("&")}, S("second")),
        Ok("value", S("b=first&b=second"), {S("c"), S("&")}, S("")),
        Ok("in", S("b=first&b=second"), {S("c"), S("&")}, I(0)),
        Ok("count", S("b=first&b=second"), {S("&")}, I(2)),
        Ok("name", S("b=first&b=second"), {I(1), S("&")}, S("b")),
        Ok("valueat", S("b=first&b=second"), {I(1), S("&")}, S("second")),
        Ok("value", S("b=first&b=second"), {S("x"), S("&")}, S("")),
        Ok("value", S("b=first&b=second"), {S("a"), S("&")}, S("")),
        Err("value", S("b=&c=3"), {S("b"), S("&")}),
        Err("value", S("b=&c=3"), {S("c"), S("&")}),
        Err("in", S("b=&c=3"), {S("c"), S("&")}),
        Err("count", S("b=&c=3"), {S("&")}),
        Err("name", S("b=&c=3"), {I(1), S("&")}),
        Err("valueat", S("b=&c=3"), {I(1), S("&")}),
        Err("value", S("b=&c=3"), {S("x"), S("&")}),
        Err("value", S("b=&c=3"), {S("a"), S("&")}),
        Ok("value", S("x=1&y=2&"), {S("b"), S("&")}, S("")),
        Ok("value", S("x=1&y=2&"), {S("c"), S("&")}, S("")),
        Ok("in", S("x=1&y=2&"), {S("c"), S("&")}, I(0)),
        Ok("count", S("x=1&y=2&"), {S("&")}, I(2)),
        Ok("name", S("x=1&y=2&"), {I(1), S("&")}, S("y")),
        Ok("valueat", S("x=1&y=2&"), {I(1), S("&")}, S("2")),
        Ok("value", S("x=1&y=2&"), {S("x"), S("&")}, S("1")),
        Ok("value", S("x=1&y=2&"), {S("a"), S("&")}, S("")),
        Ok("value", S("&x=1"), {S("b"), S("&")}, S("")),
        Ok("value", S("&x=1"), {S("c"), S("&")}, S("")),
        Ok("in", S("&x=1"), {S("c"), S("&")}, I(0)),
        Ok("count", S("&x=1"), {S("&")}, I(2)),
        Ok("name", S("&x=1"), {I(1), S("&")}, S("x")),
        Ok("valueat", S("&x=1"), {I(1), S("&")}, S("1")),
        Ok("value", S("&x=1"), {S("x"), S("&")}, S("1")),
        Ok("value", S("&x=1"), {S("a"), S("&")}, S("")),
        Ok("value", S("a=1;b=2&c=3"), {S("b"), S("&")}, S("")),
        Ok("value", S("a=1;b=2&c=3"), {S("c"), S("&")}, S("3")),
        Ok("in", S("a=1;b=2&c=3"), {S("c"), S("&")}, I(1)),
        Ok("count", S("a=1;b=2&c=3"), {S("&")}, I(2)),
        Ok("name", S("a=1;b=2&c=3"), {I(1), S("&")}, S("c")),
        Ok("valueat", S("a=1;b=2&c=3"), {I(1), S("&")}, S("3")),
        Ok("value", S("a=1;b=2&c=3"), {S("x"), S("&")}, S("")),
        Ok("value", S("a=1;b=2&c=3"), {S("a"), S("&")}, S("1;b=2")),
        Ok("value", S("a=1;b=2"), {S("a"), S(";")}, S("1")),
        Ok("value", S("a=1|b=2"), {S("b"), S("|")}, S("2")),
        Ok("count", S("a=1|b=2"), {S("|")}, I(2)),
        Err("value", S("a=1 b=2"), {S("b"), S(" ")}),
        Err("count", S("a=1 b=2"), {S(" ")}),
        Ok("in", S("a|b|c"), {S("c"), S("|")}, I(1)),
        Err("value", S("a=1;b=2"), {S("a"), S("")}),
        Err("value", S("a=1;b=2"), {S("a"), S("&&")}),
        Err("count", S("a=1;b=2"), {S("")}),
        Err("count", S("a=1;b=2"), {S(";;")}),
        Err("in", S("a=1;b=2"), {S("a"), S("")}),
        Err("name", S("a=1;b=2"), {I(0), S("")}),
        Err("valueat", S("a=1;b=2"), {I(0), S("ab")}),
    });
}

// An integer is read as its decimal text; null fails.
TEST(TrParam, IntegerAndNullInput) {
    run({
        Ok("count", I(123), {}, I(1)),
        Err("count", N(), {}),
        Ok("value", I(123), {S("123")}, S("")),
        Err("value", N(), {S("123")}),
        Ok("in", I(123), {S("123")}, I(1)),
        Err("in", N(), {S("123")}),
        Ok("name", I(123), {I(0)}, S("123")),
        Err("name", N(), {I(0)}),
        Ok("valueat", I(123), {I(0)}, S("")),
        Err("valueat", N(), {I(0)}),
        Err("value", S("a=1"), {S("")}),
        Err("in", S("a=1"), {S("")}),
    });
}

TEST(TrParam, TableIsWellFormed) {
    const char* names[] = {"value", "in", "valueat", "name", "count"};
    for (const char* n : names) EXPECT_NE(find_tr(n), nullptr) << n;
    for (const TrDef& d : param_transformations()) {
        EXPECT_EQ(d.cls, "param");
        EXPECT_NE(d.fn, nullptr);
        EXPECT_LE(d.min_args, d.max_args);
    }
    EXPECT_EQ(find_tr("count")->max_args, 1);
    EXPECT_EQ(find_tr("valueat")->kinds[0], TrArg::Int);
    EXPECT_EQ(find_tr("name")->kinds[0], TrArg::Int);
}

// Values point into the input (no copy) and stay valid with it.
TEST(TrParam, ValuePointsIntoInput) {
    Arena arena;
    std::string list = "a=1;b=two;c=3";
    Value v = S(list);
    const Value args[] = {S("b")};
    ASSERT_TRUE(find_tr("value")->fn(v, std::span<const Value>(args), arena));
    EXPECT_EQ(v.s, "two");
    EXPECT_EQ(v.s.data(), list.data() + 6);
}

// A long query string with many parameters.
TEST(TrParam, ManyParameters) {
    Arena arena;
    std::string q;
    for (int i = 0; i < 500; ++i) {
        q += (i ? "&k" : "k") + std::to_string(i) + "=v" + std::to_string(i);
    }
    Value v = S(q);
    const Value sep[] = {S("&")};
    ASSERT_TRUE(find_tr("count")->fn(v, std::span<const Value>(sep), arena));
    EXPECT_EQ(v.i, 500);
    v = S(q);
    const Value args[] = {S("K377"), S("&")};
    ASSERT_TRUE(find_tr("value")->fn(v, std::span<const Value>(args), arena));
    EXPECT_EQ(v.s, "v377");
    v = S(q);
    const Value at[] = {I(-1), S("&")};
    ASSERT_TRUE(find_tr("name")->fn(v, std::span<const Value>(at), arena));
    EXPECT_EQ(v.s, "k499");
}

}  // namespace
}  // namespace siphon::pv
