// bench/report floor: the least a report of a journal can cost: read the file, parse it with
// nlohmann::json (ordered, as chaosrun's journals are), serialize it again and write it out.
// run.sh measures it in the same run as `chaosrun report` on the same journal.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: json_floor JOURNAL OUT\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return 1;
  std::ofstream(argv[2], std::ios::binary) << j.dump(2);
  return 0;
}
