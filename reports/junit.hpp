// junit.xml for CI dashboards, written with pugixml: <testsuites> holding one <testsuite>
// with one <testcase> per claim (classname = the paper prefix of the id, name = the id) and
// the claim's bound, measured value, verdict, constants status and replay seed as
// <properties>. Verdicts map so that JUnit's outcome agrees with attnbound's exit code:
//   holds        -> passed;
//   violated     -> <failure type="violated"> whose message names the worst configuration
//                   and the replay seed (exit code 1);
//   claim with an internal "error" -> <error type="internal-error"> (exit code 1);
//   inconclusive -> <skipped> with the claim's summary as message: neither confirmed nor
//                   refuted (too few runs, event rarely held), so neither a pass nor a
//                   failure (exit code 0, but a dashboard shows it apart from passes);
//   vacuous      -> passed, with property verdict=vacuous and a <system-out> line: the
//                   bound was checked and held, it is only weaker than a trivial bound.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace attnbound::reports {

std::string junit_report(const nlohmann::json& results);

}  // namespace attnbound::reports
