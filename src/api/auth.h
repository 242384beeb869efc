// The API's bearer-token check and the token file it comes from (server.h, LoadTokenFile).
// Pure, except LoadTokenFile, which reads the file.
#pragma once

#include <string>
#include <string_view>

namespace chaosrun::api {

// a == b in time that depends only on b's length (b is the secret), never on where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

enum class AuthResult { kOk, kMissing, kMalformed, kWrong };

// Checks an Authorization header's value ("Bearer <token>"; the scheme is case-insensitive) against
// `token`. `present` false when the request has no such header.
AuthResult CheckBearer(bool present, std::string_view header_value, std::string_view token);

}  // namespace chaosrun::api
