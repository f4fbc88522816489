// The HTML report's stylesheet, inlined into the page so it needs no network.
#pragma once

namespace greenlight {

const char* html_report_css();

}  // namespace greenlight
