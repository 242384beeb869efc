// Toxiproxy's /populate: create or replace a list of proxies in one call. Shared by
// POST /populate and `chaosrun proxy serve --config FILE` (Toxiproxy's -config), so a config
// file means exactly what the same body posted to the API means.
//
// Semantics (Toxiproxy 2.12): every entry is checked (name and upstream present) before any
// proxy is touched; then, in order, a proxy whose name is new is created; one whose listen
// address and upstream match an existing proxy is kept as it is (its toxics and its enabled state
// included); any other existing proxy of that name is deleted and created again. The first
// engine failure stops the list; the proxies handled before it stay.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "proxy/engine.h"
#include "proxy_api/message.h"

namespace chaosrun::proxy_api {

struct PopulateResult {
  Json proxies = Json::array();  // created, replaced or kept, in input order
  int status = 201;              // 201 Created, or the HTTP status of the error
  std::string error;             // "" on success; otherwise names the entry at fault
  bool ok() const { return error.empty(); }
  // Toxiproxy's body: {"proxies": [...]} or {"error": ..., "status": ..., "proxies": [...]}.
  Response ToResponse() const;
};

PopulateResult Populate(proxy::Engine& engine, std::string_view body);

// Whether an existing proxy's listen address ("127.0.0.1:8080", as the engine reports it) is the
// one a request asks for ("localhost:8080"): same port (never 0) and the same host once
// "localhost" is read as 127.0.0.1 and IPv6 brackets are dropped.
bool SameListen(std::string_view existing, std::string_view requested);

}  // namespace chaosrun::proxy_api
