// session::Validate: `chaosrun validate`'s pipeline (session.h).
#include "common/redact.h"
#include "session/environment.h"
#include "session/load.h"
#include "session/run_notifications.h"
#include "session/session.h"
#include "session/settings.h"
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
  // --settings FILE: its auths (a URL source) and notifications; a bad file is a usage error.
  auto settings = LoadSettingsFlag(request.settings_path);
  if (!settings) {
    out.error = settings.error().message();
    out.usage_error = true;
    return out;
  }
  SourceOptions source_options;
  source_options.verify_tls = request.verify_tls;
  source_options.auths = settings->auths;
  auto doc = LoadSource(request.source, source_options);
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
  std::string errors;
  for (const auto& d : out.diagnostics) {
    if (!d.warning) errors += (errors.empty() ? "" : "\n") + d.ToString();
  }
  NotifyValidation(*settings, *doc, out.valid(), errors);
  return out;
}

}  // namespace chaosrun::session
