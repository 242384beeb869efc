// The frame every report page shares: the XHTML-clean head (charset, a Content-Security-Policy
// that forbids every request, the inline stylesheet) and the footer. A page built on it needs
// nothing outside itself: no font, script, image or request (docs/report.md).
#pragma once

#include <string>
#include <string_view>

namespace chaosrun::report {

// The policy in the page's <meta http-equiv="Content-Security-Policy">: nothing may be loaded;
// inline styles are allowed, images only as data: URLs (none are used).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "base-uri 'none'";

// "<!DOCTYPE html><html …><head>…</head><body>" with `title` escaped.
void AppendPageStart(std::string& out, std::string_view title, std::string_view page_kind);
// "<footer>…</footer></body></html>".
void AppendPageEnd(std::string& out);

}  // namespace chaosrun::report
