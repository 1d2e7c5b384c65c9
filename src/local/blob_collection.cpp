#include "local/blob_collection.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace ld::local {

namespace {

namespace fs = std::filesystem;

// Every digest-shaped string in a document.
void collect_digests(const nlohmann::json& value, std::unordered_set<std::string>& out) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (BlobStore::is_digest(text)) out.insert(text);
  } else if (value.is_structured()) {
    for (const auto& item : value) collect_digests(item, out);
  }
}

}  // namespace

CollectedGarbage collect_garbage(const State& state) {
  std::unordered_set<std::string> referenced;
  auto connection = state.db->connect();
  auto rows = connection.prepare("SELECT document FROM records");
  while (rows.step()) {
    const auto document = nlohmann::json::parse(rows.column_text(0), nullptr, false);
    if (!document.is_discarded()) collect_digests(document, referenced);
  }
  CollectedGarbage removed;
  removed.blobs = state.blobs->remove_unreferenced(
      [&](std::string_view digest) { return referenced.count(std::string(digest)) != 0; });
  // Unzipped code of no record, and extractions a crash interrupted (".tmp-<uuid>").
  for (const char* folder : {"tasks", "layers"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(state.data_dir / folder, ec)) {
      const std::string name = entry.path().filename().string();
      const bool interrupted = name.starts_with(".tmp-");
      const bool unused = folder == std::string_view("tasks") && BlobStore::is_digest(name) &&
                          referenced.count(name) == 0;
      if (!interrupted && !unused) continue;
      std::error_code remove_ec;
      fs::remove_all(entry.path(), remove_ec);
      if (!remove_ec) ++removed.task_folders;
    }
  }
  return removed;
}

}  // namespace ld::local
