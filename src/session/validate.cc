// session::Validate: `chaosrun validate`'s pipeline (session.h).
#include "common/redact.h"
#include "session/environment.h"
#include "session/load.h"
#include "session/session.h"
#include "subst/register_secrets.h"

namespace chaosrun::session {

ValidateOutcome Validate(const ValidateRequest& request) {
  ValidateOutcome out;
  subst::Overrides overrides;
  if (Status st = BuildOverrides(request.var_files, request.vars, overrides); !st.ok()) {
    out.error = st.message();
    out.usage_error = true;
    return out;
  }
  auto doc = LoadSource(request.source);
  if (!doc) {
    out.error = doc.error().message();
    return out;
  }
  // Before anything can print a secret (the same call as in Session::Run).
  subst::RegisterDocumentSecrets(*doc, overrides, subst::ProcessEnv(), Redactor::Global());
  auto registry = LoadRegistry(request.env);
  out.registry_errors = registry->errors();
  validate::Options vo = validate::DefaultOptions();
  vo.overrides = overrides;
  vo.check_driver = MakeDriverCheck(*registry);
  vo.strict = request.strict;
  vo.python = validate::BridgePythonCheck(request.python);
  out.diagnostics = validate::Validate(*doc, vo);
  return out;
}

}  // namespace chaosrun::session
