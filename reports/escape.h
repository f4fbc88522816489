// Text from the target made safe for the reports' markup. Target bodies can hold
// anything (binary, broken encodings, markup), and a report that a CI parser
// rejects or a browser executes is worse than no report.
#pragma once

#include <string>
#include <string_view>

namespace greenlight {

// Valid UTF-8 made only of characters XML 1.0 allows: each invalid byte becomes
// U+FFFD, each C0 control other than tab/LF/CR becomes its visible Control
// Picture (NUL -> U+2400), DEL and C1 controls become U+FFFD.
std::string clean_text(std::string_view text);

// clean_text, then escaped for XML character data. CR is written as &#13; so a
// parser does not fold CRLF in evidence into LF.
std::string xml_text(std::string_view text);

// clean_text, then escaped for a double- or single-quoted XML attribute; tab,
// LF and CR become character references, which attribute normalization keeps.
std::string xml_attr(std::string_view text);

// Like clean_text, then escaped for HTML text and quoted attributes (& < > " ').
// A control byte becomes <span class="ctl">\x1B</span> rather than a Control
// Picture, which most fonts cannot draw.
std::string html_escape(std::string_view text);

}  // namespace greenlight
