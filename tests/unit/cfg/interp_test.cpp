// Interpreter tests: statements, return codes, operators, precedence, coercion and variable
// lifetimes, each compared with what Kamailio 5.6.3 does (behavior-notes.md section 1).
#include "cfg/interp.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace siphon::cfg::test {
namespace {

// Runs `body` as request_route once and returns the runner for inspection.
struct Once {
    explicit Once(std::string_view body, std::string_view extra = {})
        : r(request_cfg(body, extra)) {
        EXPECT_TRUE(r.ok()) << r.messages();
        if (r.ok()) res = r.run();
    }
    std::string operator[](const std::string& pv) { return r.show(pv); }
    Runner r;
    RunResult res;
};

// ---- if / else ------------------------------------------------------------------------

TEST(CfgInterp, IfElseIfElseWithBraces) {
    Once t(R"cfg(
        $var(x) = 2;
        if ($var(x) == 1) { $var(r) = "one"; }
        else if ($var(x) == 2) { $var(r) = "two"; }
        else { $var(r) = "other"; }
        if ($var(x) == 7) { $var(s) = "seven"; } else { $var(s) = "else"; })cfg");
    EXPECT_EQ(t["$var(r)"], "s:two");
    EXPECT_EQ(t["$var(s)"], "s:else");
}

TEST(CfgInterp, IfWithoutBracesAndWithoutParentheses) {
    // `if $var(x) == 5 stmt;` parses (notes 1.6); single statements need no braces.
    Once t(R"cfg(
        $var(x) = 5;
        if $var(x) == 5 $var(a) = 1;
        if ($var(x) == 4) $var(b) = 1; else $var(b) = 2;
        if ($var(x) == 4) $var(c) = 1; else if ($var(x) == 5) $var(c) = 3; else $var(c) = 4;)cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(b)"], "i:2");
    EXPECT_EQ(t["$var(c)"], "i:3");
}

TEST(CfgInterp, DanglingElseBindsToInnerIf) {
    Once t(R"cfg(
        $var(r) = 0;
        if (1 == 1) if (1 == 2) $var(r) = 1; else $var(r) = 2;)cfg");
    EXPECT_EQ(t["$var(r)"], "i:2");
}

TEST(CfgInterp, AssignmentInsideIfIsTrue) {
    // A single '=' in a condition assigns; its value is 1 whatever was assigned.
    Once t(R"cfg(
        if ($var(x) = 0) { $var(r) = "then"; } else { $var(r) = "else"; }
        $var(z) = 9;
        $var(y) = ($var(z) = 5) + 1;)cfg");
    EXPECT_EQ(t["$var(x)"], "i:0");
    EXPECT_EQ(t["$var(r)"], "s:then");
    EXPECT_EQ(t["$var(y)"], "i:2");
    EXPECT_EQ(t["$var(z)"], "i:5");
}

// ---- truthiness (notes 1.7) ---------------------------------------------------------------

TEST(CfgInterp, IntegerAndStringTruthiness) {
    Once t(R"cfg(
        $var(r) = "";
        if (-1) $var(r) = $var(r) + "a";
        if (0) $var(r) = $var(r) + "b";
        if (3) $var(r) = $var(r) + "c";
        $var(s) = "5"; if ($var(s)) $var(r) = $var(r) + "d";
        $var(s) = "0"; if ($var(s)) $var(r) = $var(r) + "e";
        $var(s) = "-2"; if ($var(s)) $var(r) = $var(r) + "f";
        $var(s) = ""; if ($var(s)) $var(r) = $var(r) + "g";
        $var(s) = "x"; if ($var(s)) $var(r) = $var(r) + "h";
        $var(s) = "127.0.0.1:17002"; if ($var(s)) $var(r) = $var(r) + "i";
        if ($hdr(X-Nope)) $var(r) = $var(r) + "j";
        if ($var(never_set)) $var(r) = $var(r) + "k";
        if ($hdr(X-Num)) $var(r) = $var(r) + "l";
        if (!$hdr(X-Nope)) $var(r) = $var(r) + "m";)cfg");
    EXPECT_EQ(t["$var(r)"], "s:cdlm");
}

TEST(CfgInterp, ReturnZeroStopsScriptEvenInsideIf) {
    Once t(R"cfg(
        $var(r) = "start";
        if (route(RZERO)) { $var(r) = "then"; } else { $var(r) = "else"; }
        $var(r) = "after";)cfg",
          "route[RZERO] { return 0; }");
    EXPECT_EQ(t["$var(r)"], "s:start");
    EXPECT_TRUE(t.res.exited);
}

TEST(CfgInterp, ReturnZeroStopsScriptInsideNegatedIfAndAssignment) {
    Once a(R"cfg(
        if (!route(RZERO)) { $var(r) = "then"; }
        $var(r) = "after";)cfg",
          "route[RZERO] { return 0; }");
    EXPECT_EQ(a["$var(r)"], "i:0");
    Once b(R"cfg(
        $var(x) = route(RZERO);
        $var(r) = "after";)cfg",
          "route[RZERO] { return 0; }");
    EXPECT_EQ(b["$var(r)"], "i:0");
    EXPECT_EQ(b["$var(x)"], "i:0");
}

TEST(CfgInterp, NegativeReturnIsFalseAndContinues) {
    Once t(R"cfg(
        if (route(RNEG)) { $var(r) = "then"; } else { $var(r) = "else"; }
        $var(after) = 1;)cfg",
          "route[RNEG] { return -1; }");
    EXPECT_EQ(t["$var(r)"], "s:else");
    EXPECT_EQ(t["$var(after)"], "i:1");
}

// ---- switch -------------------------------------------------------------------------

TEST(CfgInterp, SwitchFallsThroughWithoutBreak) {
    Once t(R"cfg(
        $var(r) = "";
        switch (1) {
            case 1: $var(r) = $var(r) + "a";
            case 2: $var(r) = $var(r) + "b"; break;
            case 3: $var(r) = $var(r) + "c";
        })cfg");
    EXPECT_EQ(t["$var(r)"], "s:ab");
}

TEST(CfgInterp, SwitchDefaultMayComeFirst) {
    Once t(R"cfg(
        $var(r) = ""; $var(v) = 9;
        switch ($var(v)) {
            default: $var(r) = $var(r) + "d";
            case 1: $var(r) = $var(r) + "1"; break;
            case 2: $var(r) = $var(r) + "2";
        }
        $var(q) = ""; $var(v) = 2;
        switch ($var(v)) {
            default: $var(q) = $var(q) + "d";
            case 1: $var(q) = $var(q) + "1"; break;
            case 2: $var(q) = $var(q) + "2";
        })cfg");
    EXPECT_EQ(t["$var(r)"], "s:d1");
    EXPECT_EQ(t["$var(q)"], "s:2");
}

TEST(CfgInterp, SwitchStackedStringLabelsAreCaseSensitive) {
    Once t(R"cfg(
        $var(s) = "b";
        switch ($var(s)) {
            case "a": case "b": $var(r) = "ab"; break;
            default: $var(r) = "none";
        }
        $var(s) = "B";
        switch ($var(s)) {
            case "a": case "b": $var(q) = "ab"; break;
            default: $var(q) = "none";
        })cfg");
    EXPECT_EQ(t["$var(r)"], "s:ab");
    EXPECT_EQ(t["$var(q)"], "s:none");
}

TEST(CfgInterp, SwitchStringValueMatchesIntCase) {
    // A string "2" matches `case 2:` (observed).
    Once t(R"cfg(
        $var(s) = "2";
        switch ($var(s)) {
            case 1: $var(r) = "one"; break;
            case 2: $var(r) = "two"; break;
        }
        switch (-3) { case -3: $var(n) = "neg"; break; })cfg");
    EXPECT_EQ(t["$var(r)"], "s:two");
    EXPECT_EQ(t["$var(n)"], "s:neg");
}

TEST(CfgInterp, SwitchWithoutMatchAndDefaultDoesNothing) {
    Once t(R"cfg(
        $var(r) = "unchanged";
        switch (5) { case 1: $var(r) = "one"; break; })cfg");
    EXPECT_EQ(t["$var(r)"], "s:unchanged");
}

TEST(CfgInterp, BreakInSwitchInsideWhileLeavesOnlyTheSwitch) {
    Once t(R"cfg(
        $var(i) = 0; $var(s) = 0;
        while ($var(i) < 3) {
            $var(i) = $var(i) + 1;
            switch ($var(i)) { case 2: break; default: $var(s) = $var(s) + 1; }
        })cfg");
    EXPECT_EQ(t["$var(i)"], "i:3");
    EXPECT_EQ(t["$var(s)"], "i:2");
}

TEST(CfgInterp, SwitchValueOfARouteIsZeroAfterBreakAndOneWithoutMatch) {
    // Measured: a sub-route whose last statement is a switch left by `break` returns 0
    // (without stopping the script); a switch without a matching case returns 1.
    Once t(R"cfg(
        $var(five) = 5;
        route(RS); $var(a) = $rc;
        route(RN); $var(b) = $rc;)cfg",
           R"cfg(route[RS] { switch ($var(five)) { case 5: $var(y) = 1; break; } }
             route[RN] {
                 pv_isset("$avp(none)");
                 switch ($var(five)) { case 1: $var(y) = 2; }
             })cfg");
    EXPECT_EQ(t["$var(a)"], "i:0");
    EXPECT_EQ(t["$var(b)"], "i:1");
}

// ---- while ---------------------------------------------------------------------------

TEST(CfgInterp, WhileWithBreak) {
    Once t(R"cfg(
        $var(i) = 0;
        while ($var(i) < 10) {
            $var(i) = $var(i) + 1;
            if ($var(i) == 4) break;
        }
        $var(after) = 1;)cfg");
    EXPECT_EQ(t["$var(i)"], "i:4");
    EXPECT_EQ(t["$var(after)"], "i:1");
}

TEST(CfgInterp, WhileGuardAbandonsTheLoopAndContinues) {
    // max_while_loops defaults to 100: the 101st iteration is refused, the script goes on.
    Once t(R"cfg(
        $var(i) = 0;
        while (1 == 1) { $var(i) = $var(i) + 1; }
        $var(after) = 1;)cfg");
    EXPECT_EQ(t["$var(i)"], "i:100");
    EXPECT_EQ(t["$var(after)"], "i:1");
}

TEST(CfgInterp, WhileGuardFollowsMaxWhileLoops) {
    Runner r("max_while_loops=5\n" +
             request_cfg("$var(i) = 0; while ($var(i) >= 0) { $var(i) = $var(i) + 1; }"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(i)"), "i:5");
}

TEST(CfgInterp, WhileConditionIsNonZeroNotPositive) {
    // Unlike if(), while() loops on any non-zero value (measured: -3 counts up to 0).
    Once t(R"cfg(
        $var(n) = -3;
        while ($var(n)) { $var(n) = $var(n) + 1; }
        $var(s) = "x"; $var(t) = 0;
        while ($var(s)) { $var(s) = 0; $var(t) = 1; })cfg");
    EXPECT_EQ(t["$var(n)"], "i:0");
    EXPECT_EQ(t["$var(t)"], "i:0");
}

// ---- return / exit / drop / break ----------------------------------------------------

TEST(CfgInterp, ReturnForms) {
    Once t(R"cfg(
        route(R1); $var(a) = $rc;
        route(R2); $var(b) = $rc;
        route(R3); $var(c) = $rc;
        route(R4); $var(d) = $retcode;
        route(R5); $var(e) = $rc;)cfg",
          R"cfg(route[R1] { return; }
             route[R2] { return 5; }
             route[R3] { return(-3); }
             route[R4] { $var(k) = 7; return $var(k); }
             route[R5] { return -2 + 10; })cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(b)"], "i:5");
    EXPECT_EQ(t["$var(c)"], "i:-3");
    EXPECT_EQ(t["$var(d)"], "i:7");
    EXPECT_EQ(t["$var(e)"], "i:8");
}

TEST(CfgInterp, ReturnAtTopLevelEndsTheRoute) {
    Once t(R"cfg(
        $var(a) = 1;
        return 3;
        $var(a) = 2;)cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t.res.rc, 3);
    EXPECT_FALSE(t.res.exited);
}

TEST(CfgInterp, ExitEndsTheWholeScriptFromASubRoute) {
    Once t(R"cfg(
        $var(a) = 1;
        route(EX);
        $var(a) = 2;)cfg",
          "route[EX] { $var(b) = 1; exit; $var(b) = 2; }");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(b)"], "i:1");
    EXPECT_TRUE(t.res.exited);
    EXPECT_FALSE(t.res.dropped);
}

TEST(CfgInterp, ExitForms) {
    for (const char* stmt : {"exit;", "exit();", "exit(3);", "exit 3;"}) {
        Once t(std::string("$var(a) = 1; ") + stmt + " $var(a) = 2;");
        EXPECT_EQ(t["$var(a)"], "i:1") << stmt;
        EXPECT_TRUE(t.res.exited) << stmt;
    }
}

TEST(CfgInterp, DropEndsTheWholeScriptFromASubRoute) {
    Once t(R"cfg(
        $var(a) = 1;
        route(DR);
        $var(a) = 2;)cfg",
          "route[DR] { drop(); }");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_TRUE(t.res.exited);
    EXPECT_TRUE(t.res.dropped);
}

TEST(CfgInterp, BreakInARouteEndsOnlyThatRoute) {
    // `break` directly in route[] ends it with $rc 0; the caller continues (unlike return 0).
    Once t(R"cfg(
        route(BRK);
        $var(r) = $rc;
        $var(after) = 1;)cfg",
          "route[BRK] { $var(b) = 1; break; $var(b) = 2; }");
    EXPECT_EQ(t["$var(b)"], "i:1");
    EXPECT_EQ(t["$var(r)"], "i:0");
    EXPECT_EQ(t["$var(after)"], "i:1");
    EXPECT_FALSE(t.res.exited);
}

// ---- route() and $rc -----------------------------------------------------------------

TEST(CfgInterp, RouteValueIsTheLastActionsValue) {
    // Without return, a route's value is its last action's: an assignment gives 1, a
    // function its return code, an if whose condition is false (no else) 1.
    Once t(R"cfg(
        route(RA); $var(a) = $rc;
        route(RB); $var(b) = $rc;
        route(RC); $var(c) = $?;)cfg",
          R"cfg(route[RA] { pv_isset("$avp(none)"); $var(x) = 1; }
             route[RB] { $var(x) = 1; pv_isset("$avp(none)"); }
             route[RC] { pv_isset("$avp(none)"); if (1 > 2) { $var(y) = 1; } })cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(b)"], "i:-1");
    EXPECT_EQ(t["$var(c)"], "i:1");
}

TEST(CfgInterp, AssignmentDoesNotChangeRc) {
    // $rc is set by functions, route() and return, not by assignments (measured).
    Once t(R"cfg(
        pv_isset("$avp(none)");
        $var(x) = 7;
        $var(r) = $rc;
        $var(d) = 5;
        $var(zero) = 0;
        xlog("L_DBG", "x");
        $var(d) = 1 / $var(zero);
        $var(r2) = $rc;)cfg");
    EXPECT_EQ(t["$var(r)"], "i:-1");
    EXPECT_EQ(t["$var(r2)"], "i:1");
}

TEST(CfgInterp, RouteReturnValueCanBeAssigned) {
    Once t(R"cfg(
        $var(x) = route(R5);
        $var(y) = xlog("L_DBG", "hello");)cfg",
          "route[R5] { return 5; }");
    EXPECT_EQ(t["$var(x)"], "i:5");
    EXPECT_EQ(t["$var(y)"], "i:1");
}

TEST(CfgInterp, RouteNamesAsStringNumberAndDynamic) {
    Once t(R"cfg(
        route("QUOTED"); $var(a) = $rc;
        route(7); $var(b) = $rc;
        $var(n) = "QUOTED"; route($var(n)); $var(c) = $rc;
        $var(n) = "NOPE"; route($var(n)); $var(d) = 1;)cfg",
          R"cfg(route["QUOTED"] { return 11; }
             route[7] { return 12; })cfg");
    EXPECT_EQ(t["$var(a)"], "i:11");
    EXPECT_EQ(t["$var(b)"], "i:12");
    EXPECT_EQ(t["$var(c)"], "i:11");
    // A dynamic name that matches no route is logged; the script continues.
    EXPECT_EQ(t["$var(d)"], "i:1");
}

TEST(CfgInterp, RecursionIsBounded) {
    Once t("route(LOOP); $var(after) = 1;", "route[LOOP] { route(LOOP); }");
    EXPECT_EQ(t["$var(after)"], "i:1");
}

// ---- precedence (notes 1.9) ---------------------------------------------------------

struct ExprCase {
    const char* expr;
    const char* want;
};

class CfgPrecedence : public ::testing::TestWithParam<ExprCase> {};

TEST_P(CfgPrecedence, Evaluates) {
    Once t(std::string("$var(r) = ") + GetParam().expr + ";");
    EXPECT_EQ(t["$var(r)"], GetParam().want) << GetParam().expr;
}

INSTANTIATE_TEST_SUITE_P(
    NotesTable, CfgPrecedence,
    ::testing::Values(
        ExprCase{"6^3&5", "i:5"},       // ^ binds tighter than & (QUIRK)
        ExprCase{"1<<2==2", "i:2"},     // == binds tighter than << (QUIRK)
        ExprCase{"1<<4>>2", "i:2"},     // >> binds tighter than <<
        ExprCase{"6&3==2", "i:0"},      // == binds tighter than &
        ExprCase{"5|2^3", "i:5"},
        ExprCase{"1+2<<1", "i:6"},
        ExprCase{"3|4&&0", "i:0"},
        ExprCase{"1||0&&0", "i:1"},
        ExprCase{"!0==5", "i:0"},       // ! binds tighter than ==
        ExprCase{"10-2-3", "i:5"},      // left associative
        ExprCase{"8/2*2", "i:8"},
        ExprCase{"3>2>1", "i:0"},
        ExprCase{"2+3*4", "i:14"},
        ExprCase{"(2+3)*4", "i:20"},
        ExprCase{"7 mod 3", "i:1"},
        ExprCase{"1 < 2 == 1", "i:1"},  // relational binds tighter than ==
        ExprCase{"-2*3", "i:-6"},
        ExprCase{"~5&7", "i:2"},
        ExprCase{"1 and 0 or 1", "i:1"},
        ExprCase{"(int)\"4\" + 1", "i:5"}));

INSTANTIATE_TEST_SUITE_P(
    Arithmetic32, CfgPrecedence,
    ::testing::Values(ExprCase{"2147483647+1", "i:-2147483648"},
                      ExprCase{"1<<31", "i:-2147483648"},
                      ExprCase{"1<<32", "i:1"},
                      ExprCase{"-7/2", "i:-3"},
                      ExprCase{"-7 mod 2", "i:-1"},
                      ExprCase{"~0", "i:-1"},
                      ExprCase{"-16>>2", "i:-4"},
                      ExprCase{"65536*65536", "i:0"},
                      ExprCase{"-2147483648 - 1", "i:2147483647"},
                      ExprCase{"0x10 + 010 + 101b", "i:29"}));

TEST(CfgInterp, DivisionByZeroSkipsTheAssignment) {
    Once t(R"cfg(
        $var(z) = 0;
        $var(d) = 5;
        $var(d) = 10 / $var(z);
        $var(m) = 6;
        $var(m) = 10 mod $var(z);
        $var(after) = 1;)cfg");
    EXPECT_EQ(t["$var(d)"], "i:5");
    EXPECT_EQ(t["$var(m)"], "i:6");
    EXPECT_EQ(t["$var(after)"], "i:1");
}

TEST(CfgInterp, MinIntDividedByMinusOneDoesNotTrap) {
    // Kamailio dies with SIGFPE here (notes 7, DEFECT); siphon wraps like the other ops.
    Once t(R"cfg(
        $var(a) = -2147483648; $var(b) = -1;
        $var(q) = $var(a) / $var(b);
        $var(m) = $var(a) mod $var(b);
        $var(c) = -2147483648 / -1;)cfg");
    EXPECT_EQ(t["$var(q)"], "i:-2147483648");
    EXPECT_EQ(t["$var(m)"], "i:0");
    EXPECT_EQ(t["$var(c)"], "i:-2147483648");
}

// ---- coercion (notes 1.10), one test per table row -------------------------------------

TEST(CfgCoercion, StringPlusIntConcatenates) {
    Once t(R"cfg($var(a) = "1"; $var(b) = 2; $var(r) = $var(a) + $var(b);)cfg");
    EXPECT_EQ(t["$var(r)"], "s:12");
}

TEST(CfgCoercion, IntPlusStringAdds) {
    Once t(R"cfg($var(a) = 2; $var(b) = "1"; $var(r) = $var(a) + $var(b);)cfg");
    EXPECT_EQ(t["$var(r)"], "i:3");
}

TEST(CfgCoercion, ConstantStringPlusIntIsAllowed) {
    Once t(R"cfg($var(r) = "a" + 1; $var(s) = "a" + 1 + 2; $var(t) = "a" + (1 + 2);)cfg");
    EXPECT_EQ(t["$var(r)"], "s:a1");
    EXPECT_EQ(t["$var(s)"], "s:a12");
    EXPECT_EQ(t["$var(t)"], "s:a3");
}

TEST(CfgCoercion, IntPlusIntPlusNonNumericString) {
    Once t(R"cfg($var(a) = "a"; $var(r) = 1 + 2 + $var(a);)cfg");
    EXPECT_EQ(t["$var(r)"], "i:3");
}

TEST(CfgCoercion, EmptyStringPlusInt) {
    Once t(R"cfg($var(e) = ""; $var(r) = $var(e) + 5; $var(s) = "" + 5;)cfg");
    EXPECT_EQ(t["$var(r)"], "s:5");
    EXPECT_EQ(t["$var(s)"], "s:5");
}

TEST(CfgCoercion, Casts) {
    Once t(R"cfg($var(r) = (int)"42" + 1; $var(s) = (str)42 + 1; $var(u) = (int)"x";)cfg");
    EXPECT_EQ(t["$var(r)"], "i:43");
    EXPECT_EQ(t["$var(s)"], "s:421");
    EXPECT_EQ(t["$var(u)"], "i:0");
}

TEST(CfgCoercion, NonNumericStringsConvertToZero) {
    Once t(R"cfg(
        $var(a) = "12abc"; $var(b) = " 12"; $var(c) = "abc";
        $var(r1) = 5 + $var(a); $var(r2) = 5 + $var(b); $var(r3) = 5 + $var(c);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:5");
    EXPECT_EQ(t["$var(r2)"], "i:5");
    EXPECT_EQ(t["$var(r3)"], "i:5");
}

TEST(CfgCoercion, SignedHexAndLeadingZeroStrings) {
    Once t(R"cfg(
        $var(a) = "-12"; $var(b) = "+5"; $var(c) = "0x10"; $var(d) = "010";
        $var(r1) = 1 + $var(a); $var(r2) = 1 + $var(b); $var(r3) = 1 + $var(c);
        $var(r4) = 1 + $var(d);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:-11");
    EXPECT_EQ(t["$var(r2)"], "i:6");
    EXPECT_EQ(t["$var(r3)"], "i:17");
    EXPECT_EQ(t["$var(r4)"], "i:11");
}

TEST(CfgCoercion, StringEqualsZeroComparesAsString) {
    Once t(
        R"cfg($var(s) = "a"; $var(z) = 0; $var(r) = $var(s) == $var(z); $var(q) = "a" == 0;)cfg");
    EXPECT_EQ(t["$var(r)"], "i:0");
    EXPECT_EQ(t["$var(q)"], "i:0");
}

TEST(CfgCoercion, ZeroEqualsStringComparesAsInt) {
    Once t(R"cfg($var(s) = "a"; $var(z) = 0; $var(r) = $var(z) == $var(s);)cfg");
    EXPECT_EQ(t["$var(r)"], "i:1");
}

TEST(CfgCoercion, NumericStringEqualsInt) {
    Once t(R"cfg(
        $var(s) = "10"; $var(i) = 10; $var(o) = "010";
        $var(r1) = $var(s) == $var(i); $var(r2) = $var(i) == $var(s);
        $var(r3) = $var(o) == $var(i); $var(r4) = $var(i) == $var(o);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:1");
    EXPECT_EQ(t["$var(r3)"], "i:0");
    EXPECT_EQ(t["$var(r4)"], "i:1");
}

TEST(CfgCoercion, RelationalOperatorsCompareIntegers) {
    Once t(R"cfg(
        $var(a) = "5"; $var(b) = "10"; $var(i5) = 5; $var(i10) = 10;
        $var(r1) = $var(a) < $var(b); $var(r2) = $var(i5) < $var(b);
        $var(r3) = $var(a) < $var(i10);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:1");
    EXPECT_EQ(t["$var(r3)"], "i:1");
}

TEST(CfgCoercion, StringEqualityIsCaseSensitive) {
    Once t(R"cfg($var(a) = "abc"; $var(r) = $var(a) == "ABC"; $var(s) = $var(a) == "abc";)cfg");
    EXPECT_EQ(t["$var(r)"], "i:0");
    EXPECT_EQ(t["$var(s)"], "i:1");
}

TEST(CfgCoercion, UnsetVarIsIntZero) {
    Once t(R"cfg($var(r1) = $var(unset) == 0; $var(r2) = $var(unset) == "";
             $var(r3) = $var(unset) == $null;
             $var(n) = $null; $var(r4) = $var(n) == $null;
             if (defined $var(unset)) $var(r5) = 1;)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:0");
    EXPECT_EQ(t["$var(r3)"], "i:0");
    EXPECT_EQ(t["$var(r4)"], "i:0");
    EXPECT_EQ(t["$var(r5)"], "i:1");
    EXPECT_EQ(t["$var(n)"], "i:0");
}

TEST(CfgCoercion, EqualsEmptyLiteralIsStrempty) {
    // QUIRK: `X == ""` is strempty(X): int 0 is "0", not empty; missing values are empty.
    Once t(R"cfg(
        $var(i) = 0; $var(e) = "";
        if ($var(i) == "") $var(r1) = 1; else $var(r1) = 0;
        if ($hdr(X-Nope) == "") $var(r2) = 1; else $var(r2) = 0;
        if ($var(e) == "") $var(r3) = 1; else $var(r3) = 0;)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:0");
    EXPECT_EQ(t["$var(r2)"], "i:1");
    EXPECT_EQ(t["$var(r3)"], "i:1");
}

TEST(CfgCoercion, NotEqualsEmptyLiteralIsTheNegation) {
    // DEFECT fixed: Kamailio gives false for both `0 == ""` and `0 != ""`.
    Once t(R"cfg(
        $var(i) = 0; $var(e) = "";
        if ($var(i) != "") $var(r1) = 1; else $var(r1) = 0;
        if ($hdr(X-Nope) != "") $var(r2) = 1; else $var(r2) = 0;
        if ($var(e) != "") $var(r3) = 1; else $var(r3) = 0;)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:0");
    EXPECT_EQ(t["$var(r3)"], "i:0");
}

TEST(CfgCoercion, EqualsEmptyStringInAVariableFollowsTheGenericRule) {
    Once t(R"cfg($var(i) = 0; $var(s) = ""; $var(r) = $var(i) == $var(s);)cfg");
    EXPECT_EQ(t["$var(r)"], "i:1");
}

TEST(CfgCoercion, MissingValuesEqualNullAndEmpty) {
    Once t(R"cfg(
        $var(r1) = $avp(nonexist) == $null; $var(r2) = $avp(nonexist) == "";
        $var(r3) = $avp(nonexist) == 0; $var(r4) = $hdr(X-Nope) == $null;
        $var(r5) = $hdr(X-Nope) == "";)cfg");
    for (const char* v : {"$var(r1)", "$var(r2)", "$var(r3)", "$var(r4)", "$var(r5)"})
        EXPECT_EQ(t[v], "i:1") << v;
}

TEST(CfgCoercion, UndefinedLeftOperandOfPlusIsEmptyString) {
    Once t(R"cfg(
        $var(r1) = $hdr(X-Nope) + "x"; $var(r2) = $hdr(X-Nope) + 1;
        $var(r3) = $null + 1; $var(r4) = $var(unset) + 1; $var(r5) = "abc" + $null;)cfg");
    EXPECT_EQ(t["$var(r1)"], "s:x");
    EXPECT_EQ(t["$var(r2)"], "s:1");
    EXPECT_EQ(t["$var(r3)"], "s:1");
    EXPECT_EQ(t["$var(r4)"], "i:1");
    EXPECT_EQ(t["$var(r5)"], "s:abc");
}

TEST(CfgCoercion, StringAndIntegerComparisonOperators) {
    Once t(R"cfg($var(z) = 0; $var(e) = ""; $var(a) = "a"; $var(b) = "b";
             $var(r1) = $var(z) eq $var(e); $var(r2) = $var(a) ieq $var(b);
             $var(r3) = $var(a) ne $var(b); $var(r4) = $var(a) ine $var(b);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:0");
    EXPECT_EQ(t["$var(r2)"], "i:1");
    EXPECT_EQ(t["$var(r3)"], "i:1");
    EXPECT_EQ(t["$var(r4)"], "i:0");
}

TEST(CfgCoercion, StrlenAndStrempty) {
    Once t(R"cfg($var(r1) = strlen("hello"); $var(r2) = strempty("");
             $var(i) = 0; $var(r3) = strempty($var(i)); $var(r4) = strlen($var(i) + 100);)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:5");
    EXPECT_EQ(t["$var(r2)"], "i:1");
    EXPECT_EQ(t["$var(r3)"], "i:0");
    EXPECT_EQ(t["$var(r4)"], "i:3");
}

TEST(CfgCoercion, HeaderValuesAreStrings) {
    // `$cs + 1` concatenates; `$cl + 1` adds (notes 7).
    Once t(R"cfg($var(a) = $cs + 1; $var(b) = $cl + 1; $var(c) = $hdr(X-Num) + 1;)cfg");
    EXPECT_EQ(t["$var(a)"], "s:101");
    EXPECT_EQ(t["$var(b)"], "i:1");
    EXPECT_EQ(t["$var(c)"], "s:121");
}

// ---- core keywords -------------------------------------------------------------------

TEST(CfgInterp, CoreKeywordComparisons) {
    // The runner's message comes from 127.0.0.1:40000 to 127.0.0.1:5060 over TCP.
    Once t(R"cfg(
        if (method == OPTIONS) $var(a) = 1;
        if (method == "INVITE") $var(b) = 1;
        if (src_ip == 127.0.0.1/8) $var(c) = 1;
        if (src_ip == 10.0.0.0/8) $var(d) = 1;
        if (src_ip != 10.0.0.0/8) $var(e) = 1;
        if (proto == TCP && dst_port == 5060 && src_port == 40000) $var(f) = 1;
        if (uri =~ "^sip:alice@") $var(g) = 1;
        if (from_uri == "sip:bob@example.org") $var(h) = 1;
        if (msg:len > 100 && af == INET) $var(i) = 1;
        if ($var(a) == 1 and not $var(b)) $var(j) = 1;)cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(b)"], "i:0");
    EXPECT_EQ(t["$var(c)"], "i:1");
    EXPECT_EQ(t["$var(d)"], "i:0");
    EXPECT_EQ(t["$var(e)"], "i:1");
    EXPECT_EQ(t["$var(f)"], "i:1");
    EXPECT_EQ(t["$var(g)"], "i:1");
    EXPECT_EQ(t["$var(h)"], "i:1");
    EXPECT_EQ(t["$var(i)"], "i:1");
    EXPECT_EQ(t["$var(j)"], "i:1");
}

TEST(CfgInterp, Myself) {
    Runner m("listen=tcp:127.0.0.1:5060\nalias=\"example.com\"\n" + request_cfg(R"cfg(
        if (uri == myself) $var(a) = 1;
        $var(u) = "sip:x@127.0.0.1:5060";
        if ($var(u) == myself) $var(b) = 1;
        $var(u) = "sip:x@127.0.0.1:5070";
        if ($var(u) == myself) $var(c) = 1;
        $var(u) = "sip:x@other.example.net";
        if ($var(u) != myself) $var(d) = 1;)cfg"));
    ASSERT_TRUE(m.ok()) << m.messages();
    m.run();
    EXPECT_EQ(m.show("$var(a)"), "i:1");  // sip:alice@example.com, an alias
    EXPECT_EQ(m.show("$var(b)"), "i:1");
    EXPECT_EQ(m.show("$var(c)"), "i:0");  // not a port we listen on
    EXPECT_EQ(m.show("$var(d)"), "i:1");
}

// ---- regex ---------------------------------------------------------------------------

TEST(CfgInterp, RegexMatchIsCaseInsensitiveExtendedAndUnanchored) {
    Once t(R"cfg(
        $var(s) = "abc";
        $var(r1) = $var(s) =~ "B";
        $var(r2) = $var(s) =~ "^b";
        $var(r3) = $var(s) =~ "a(b|x)c$";
        $var(p) = "[[:digit:]]+"; $var(n) = "ab12";
        $var(r4) = $var(n) =~ $var(p);
        $var(r5) = !($var(s) =~ "z");)cfg");
    EXPECT_EQ(t["$var(r1)"], "i:1");
    EXPECT_EQ(t["$var(r2)"], "i:0");
    EXPECT_EQ(t["$var(r3)"], "i:1");
    EXPECT_EQ(t["$var(r4)"], "i:1");
    EXPECT_EQ(t["$var(r5)"], "i:1");
}

// ---- variables -------------------------------------------------------------------------

TEST(CfgVars, VarPersistsAcrossMessagesOnOneWorker) {
    Runner r(request_cfg("$var(n) = $var(n) + 1; $avp(a) = $avp(a) + 1;"));
    ASSERT_TRUE(r.ok()) << r.messages();
    for (int i = 1; i <= 3; ++i) {
        r.run();
        EXPECT_EQ(r.show("$var(n)"), "i:" + std::to_string(i));
        // An AVP lives for one message only: each message starts from "undefined".
        EXPECT_EQ(r.show("$avp(a)"), "s:1");
    }
}

TEST(CfgVars, VarIsDynamicallyTypedAndNullResetsToZero) {
    Once t(R"cfg($var(x) = 5; $var(x) = "str"; $var(y) = $var(x);
             $var(z) = "s"; $var(z) = $null; $var(h) = $hdr(X-Nope);)cfg");
    EXPECT_EQ(t["$var(x)"], "s:str");
    EXPECT_EQ(t["$var(y)"], "s:str");
    EXPECT_EQ(t["$var(z)"], "i:0");
    EXPECT_EQ(t["$var(h)"], "i:0");
}

TEST(CfgVars, AvpStacksNewestFirst) {
    Once t(R"cfg(
        $avp(a) = 1; $avp(a) = "two";
        $var(all) = $(avp(a)[*]);
        $var(first) = $avp(a);
        $var(older) = $(avp(a)[1]);
        $var(cnt) = $cnt($avp(a));
        $avp(e) = $hdr(X-Nope);
        if (defined $avp(e)) $var(e) = 1; else $var(e) = 0;)cfg");
    EXPECT_EQ(t["$var(all)"], "s:two, 1");
    EXPECT_EQ(t["$var(first)"], "s:two");
    EXPECT_EQ(t["$var(older)"], "i:1");
    EXPECT_EQ(t["$var(cnt)"], "i:2");
    EXPECT_EQ(t["$var(e)"], "i:0");
}

TEST(CfgVars, AvpNullRemovesNewestAndStarReplacesAll) {
    Once t(R"cfg(
        $avp(a) = 1; $avp(a) = 2; $avp(a) = 3;
        $avp(a) = $null;
        $var(after_null) = $(avp(a)[*]);
        $(avp(a)[*]) = "v";
        $var(after_star) = $(avp(a)[*]);
        if (defined $(avp(a)[-1])) $var(neg) = 1; else $var(neg) = 0;)cfg");
    EXPECT_EQ(t["$var(after_null)"], "s:2, 1");
    EXPECT_EQ(t["$var(after_star)"], "s:v");
    EXPECT_EQ(t["$var(neg)"], "i:0");  // negative AVP indexes are null
}

TEST(CfgVars, ShvIsSharedAndPersists) {
    Runner r(request_cfg("$shv(c) = $shv(c) + 1; $var(seen) = $shv(c);"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    r.run();
    EXPECT_EQ(r.show("$var(seen)"), "i:2");
    EXPECT_EQ(r.show("$shv(c)"), "i:2");
    // The value lives in the shared table, not in the worker.
    EXPECT_EQ(r.shared().slots.at(0)->v.i, 2);
}

TEST(CfgVars, StringLiteralsAreNotInterpolated) {
    Once t(R"cfg($var(i) = 3; $var(r) = "x $var(i)"; $var(d) = "a$$b";)cfg");
    EXPECT_EQ(t["$var(r)"], "s:x $var(i)");
    EXPECT_EQ(t["$var(d)"], "s:a$$b");
}

TEST(CfgVars, AdjacentStringLiteralsConcatenate) {
    Once t(R"cfg($var(r) = "a" "b" 'c'; $var(e) = "t\tx\\y";)cfg");
    EXPECT_EQ(t["$var(r)"], "s:abc");
    EXPECT_EQ(t["$var(e)"], "s:t\tx\\y");
}

TEST(CfgVars, DefinesReplaceIdentifiers) {
    Runner r("#!define NUM 40\n#!define TXT \"text\"\n#!define TWO $var(a) = 1; \\\n"
             "$var(b) = 2;\n" +
             request_cfg("$var(n) = NUM + 2; $var(t) = TXT; TWO $var(s) = \"NUM\";"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(n)"), "i:42");
    EXPECT_EQ(r.show("$var(t)"), "s:text");
    EXPECT_EQ(r.show("$var(a)"), "i:1");
    EXPECT_EQ(r.show("$var(b)"), "i:2");
    EXPECT_EQ(r.show("$var(s)"), "s:NUM");
}

TEST(CfgVars, IfdefSelectsBranches) {
    Runner r("#!define WITH_X\n" + request_cfg(R"cfg(
#!ifdef WITH_X
        $var(x) = 1;
#!else
        $var(x) = 2;
#!endif
#!ifndef WITH_Y
        $var(y) = 3;
#!endif
#!ifdef MOD_xhttp
        $var(m) = 4;
#!endif
)cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run();
    EXPECT_EQ(r.show("$var(x)"), "i:1");
    EXPECT_EQ(r.show("$var(y)"), "i:3");
    EXPECT_EQ(r.show("$var(m)"), "i:4");
}

TEST(CfgVars, MsgAttributes) {
    Once t(R"cfg(
        $var(len) = $msg(len); $var(blen) = $msg(body_len);
        $var(fline) = $msg(fline); $var(ml) = $ml;
        if ($msg(len) > 100) $var(big) = 1;)cfg");
    EXPECT_EQ(t["$var(len)"], "i:" + std::to_string(kSipRequest.size()));
    EXPECT_EQ(t["$var(ml)"], t["$var(len)"]);
    EXPECT_EQ(t["$var(blen)"], "i:0");
    EXPECT_EQ(t["$var(fline)"], "s:OPTIONS sip:alice@example.com SIP/2.0");
    EXPECT_EQ(t["$var(big)"], "i:1");
}

TEST(CfgVars, RcAliases) {
    Once t(R"cfg(pv_isset("$avp(none)"); $var(a) = $rc; $var(b) = $retcode; $var(c) = $?;)cfg");
    EXPECT_EQ(t["$var(a)"], "i:-1");
    EXPECT_EQ(t["$var(b)"], "i:-1");
    EXPECT_EQ(t["$var(c)"], "i:-1");
}

// ---- functions and module interplay ---------------------------------------------------

TEST(CfgInterp, FunctionReturnCodesDriveConditions) {
    Once t(R"cfg(
        if (is_method("OPTIONS")) $var(a) = 1; else $var(a) = 2;
        if (is_method("INVITE|BYE")) $var(b) = 1; else $var(b) = 2;
        if (!is_present_hf("X-Num")) $var(c) = 1; else $var(c) = 2;
        setflag(3);
        if (isflagset(3) && !isflagset(4)) $var(d) = 1;)cfg");
    EXPECT_EQ(t["$var(a)"], "i:1");
    EXPECT_EQ(t["$var(b)"], "i:2");
    EXPECT_EQ(t["$var(c)"], "i:2");
    EXPECT_EQ(t["$var(d)"], "i:1");
}

TEST(CfgInterp, XhttpReplySendsFormattedBody) {
    Runner r(http_cfg(R"cfg(
        $var(n) = 41;
        $var(n) = $var(n) + 1;
        if (xhttp_reply("200", "OK", "text/plain", "n=$var(n) url=$hu")) {
            $var(ok) = 1;
        })cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run_http();
    EXPECT_EQ(r.show("$var(ok)"), "i:1");
    EXPECT_NE(r.sent().find("HTTP/1.1 200 OK\r\n"), std::string::npos) << r.sent();
    EXPECT_NE(r.sent().find("Content-Type: text/plain\r\n"), std::string::npos) << r.sent();
    std::string body = "n=42 url=/status?x=1";
    ASSERT_GE(r.sent().size(), body.size());
    EXPECT_EQ(r.sent().substr(r.sent().size() - body.size()), body);
}

TEST(CfgInterp, XhttpReplyCodeFromAVariable) {
    Runner r(http_cfg(R"cfg(
        $var(c) = 404;
        xhttp_reply("$var(c)", "Not Here", "", "");)cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run_http();
    EXPECT_EQ(r.sent().rfind("HTTP/1.1 404 Not Here\r\n", 0), 0u) << r.sent();
}

TEST(CfgInterp, XhttpReplyWithBadCodeInAVariableFails) {
    Runner r(http_cfg(R"cfg(
        $var(c) = "abc";
        if (xhttp_reply("$var(c)", "X", "", "")) $var(r) = 1; else $var(r) = -1;)cfg"));
    ASSERT_TRUE(r.ok()) << r.messages();
    r.run_http();
    EXPECT_EQ(r.show("$var(r)"), "i:-1");
}

TEST(CfgInterp, MaxActionsStopsARunawayScript) {
    Runner r("max_while_loops=0\nmax_actions=1000\n" +
             request_cfg("$var(i) = 0; while (1 == 1) { $var(i) = $var(i) + 1; }"
                         " $var(after) = 1;"));
    ASSERT_TRUE(r.ok()) << r.messages();
    RunResult res = r.run();
    EXPECT_TRUE(res.exited);
    EXPECT_EQ(r.show("$var(after)"), "i:0");
}

}  // namespace
}  // namespace siphon::cfg::test
