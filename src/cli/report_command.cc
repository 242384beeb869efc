#include "cli/report_command.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "cli/cli.h"
#include "report/history.h"
#include "report/model.h"
#include "report/run_page.h"

namespace chaosrun::cli {

Status WritePageFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IoError("cannot create " + tmp);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Status::IoError("cannot write " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError("cannot rename " + tmp + " to " + path);
  }
  return Status::Ok();
}

int ReportCommand(const Args& args) {
  if (args.report_journals.size() == 1) {
    const std::string& journal = args.report_journals.front();
    auto r = report::ReadReport(journal);
    if (!r) {
      std::cerr << "Error: " << r.error().message() << "\n";
      return kExitFailed;
    }
    std::string path =
        args.report_output.empty() ? report::DefaultPagePath(journal) : args.report_output;
    if (Status st = WritePageFile(path, report::RenderRunPage(*r)); !st.ok()) {
      std::cerr << "Error: " << st.message() << "\n";
      return kExitFailed;
    }
    std::cout << path << "\n";
    return kExitOk;
  }
  std::vector<report::HistoryEntry> entries;
  entries.reserve(args.report_journals.size());
  for (const std::string& journal : args.report_journals) {
    auto r = report::ReadReport(journal);
    if (!r) {
      std::cerr << "Error: " << r.error().message() << "\n";
      return kExitFailed;
    }
    entries.push_back(report::MakeHistoryEntry(*r));
  }
  report::SortByStart(entries);
  report::LinkRunPages(entries, args.report_output);
  if (Status st = WritePageFile(args.report_output, report::RenderHistoryPage(entries)); !st.ok()) {
    std::cerr << "Error: " << st.message() << "\n";
    return kExitFailed;
  }
  std::cout << args.report_output << "\n";
  return kExitOk;
}

}  // namespace chaosrun::cli
