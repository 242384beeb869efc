// A URL as it may be shown (console, logs, errors): without its user:password@ part, its query
// and its fragment (a query shown as "?…"), where credentials and tokens travel.
#pragma once

#include <string>

namespace chaosrun {

std::string ShownUrl(const std::string& url);

}  // namespace chaosrun
