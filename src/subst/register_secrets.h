// Registering the secrets a document can hold with a Redactor, as early as possible: the CLI
// calls RegisterDocumentSecrets right after loading the document and its var-files, before
// validation; the engine calls it again (PrepareScope) for callers that do not. So a scope a
// var-file replaces, or a run that aborts before its secrets resolve, still has every known
// value redacted. Never throws.
#pragma once

#include "common/json.h"
#include "common/redact.h"
#include "subst/configuration.h"
#include "subst/template.h"

namespace chaosrun::subst {

// Registers every inline value of every scope of the document's `secrets` (scopes a var-file
// replaces included), every value of the var-files' `secrets` scopes, and each
// `{"type": "env"}` secret whose variable `env` finds now. Vault entries hold no value here.
void RegisterDocumentSecrets(const Json& document, const Overrides& overrides, const EnvLookup& env,
                             Redactor& redactor);

// For every `http` provider anywhere in the document whose `url`, substituted in `scope`,
// carries `user:password@`: registers the password (a credential, even when written inline) and
// the Basic-auth credentials curl sends for it (base64 of the percent-decoded "user:password").
void RegisterUrlCredentials(const Json& document, const Scope& scope, Redactor& redactor);

}  // namespace chaosrun::subst
