// S3 listings: ListObjectsV2, ListObjects (v1) and ListObjectVersions, with prefix, delimiter,
// paging and encoding-type=url.
#include "core/encoding.hpp"
#include "local/services/s3_request.hpp"

namespace ld::local::s3 {

namespace {

using nlohmann::json;

// Past every key that starts with `prefix` (keys are UTF-8, which never holds byte 0xFF).
std::string past_prefix(const std::string& prefix) {
  return prefix + "\xFF";
}

struct Listing {
  std::vector<json> contents;         // object documents
  std::vector<std::string> prefixes;  // common prefixes
  bool truncated = false;
  std::string last;  // the last key or common prefix returned (the next page's marker)
};

// Walks the bucket's keys after `marker` (a key or a common prefix), collapsing keys that hold
// the delimiter after the prefix, until max_keys entries are found.
Listing walk(Request& request, const std::string& prefix, const std::string& delimiter,
             const std::string& marker, std::size_t max_keys) {
  Listing listing;
  const std::string bucket_prefix = request.bucket + "/";
  std::string after = marker.empty() ? std::string() : bucket_prefix + marker;
  if (!delimiter.empty() && marker.ends_with(delimiter) && marker.starts_with(prefix))
    after = past_prefix(bucket_prefix + marker);
  std::size_t found = 0;
  while (max_keys > 0) {
    Page page = request.state.records->list(
        kObjectKind, {.prefix = bucket_prefix + prefix, .marker = after, .limit = 1000});
    bool jumped = false;
    for (const Record& record : page.records) {
      const std::string key = record.key.substr(bucket_prefix.size());
      std::string common;
      if (!delimiter.empty()) {
        const std::size_t at = key.find(delimiter, prefix.size());
        if (at != std::string::npos) common = key.substr(0, at + delimiter.size());
      }
      if (found == max_keys) {
        listing.truncated = true;
        return listing;
      }
      ++found;
      if (common.empty()) {
        listing.contents.push_back(record.document);
        listing.last = key;
        after = record.key;
      } else {
        listing.prefixes.push_back(common);
        listing.last = common;
        after = past_prefix(bucket_prefix + common);
        jumped = true;
        break;  // list again past every key under the common prefix
      }
    }
    if (!jumped && !page.next_marker) break;
  }
  return listing;
}

std::size_t max_keys_of(Request& request) {
  std::string text = request.query("max-keys").value_or("1000");
  std::size_t value = 0;
  if (text.empty() || text.size() > 9)
    throw invalid_argument("Provided max-keys not an integer or within integer range", "max-keys",
                           text);
  for (char c : text) {
    if (c < '0' || c > '9')
      throw invalid_argument("Provided max-keys not an integer or within integer range", "max-keys",
                             text);
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return std::min<std::size_t>(value, 1000);
}

// A listing's encoding-type: "url" or none (InvalidArgument for anything else).
std::optional<std::string> encoding_of(Request& request) {
  std::optional<std::string> encoding = request.query("encoding-type");
  if (encoding && *encoding != "url") {
    throw invalid_argument("Invalid Encoding Method specified in Request", "encoding-type",
                           *encoding);
  }
  return encoding;
}

}  // namespace

ApiReply list_objects(Request& request, bool v2) {
  require_bucket(request);
  const std::string prefix = request.query("prefix").value_or("");
  const std::string delimiter = request.query("delimiter").value_or("");
  const std::size_t max_keys = max_keys_of(request);
  const std::optional<std::string> encoding = encoding_of(request);
  auto out = [&](const std::string& text) { return encoding ? uri_encode(text, true) : text; };
  std::string marker;
  std::optional<std::string> token = v2 ? request.query("continuation-token") : std::nullopt;
  if (token) {
    std::optional<std::string> decoded = base64_decode(*token);
    if (!decoded || !decoded->starts_with("1:")) {
      throw invalid_argument("The continuation token provided is incorrect", "continuation-token",
                             *token);
    }
    marker = decoded->substr(2);
  } else if (v2) {
    marker = request.query("start-after").value_or("");
  } else {
    marker = request.query("marker").value_or("");
  }
  Listing listing = walk(request, prefix, delimiter, marker, max_keys);

  pugi::xml_document document;
  auto root = document.append_child("ListBucketResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  add_text(root, "Name", request.bucket);
  add_text(root, "Prefix", out(prefix));
  if (v2) {
    add_text(root, "KeyCount", std::to_string(listing.contents.size() + listing.prefixes.size()));
  } else {
    add_text(root, "Marker", out(marker));
  }
  add_text(root, "MaxKeys", std::to_string(max_keys));
  if (!delimiter.empty()) add_text(root, "Delimiter", out(delimiter));
  add_text(root, "IsTruncated", listing.truncated ? "true" : "false");
  if (v2) {
    if (token) add_text(root, "ContinuationToken", *token);
    if (auto start_after = request.query("start-after"))
      add_text(root, "StartAfter", out(*start_after));
    if (listing.truncated)
      add_text(root, "NextContinuationToken", base64_encode("1:" + listing.last));
  } else if (listing.truncated && !delimiter.empty()) {
    add_text(root, "NextMarker", out(listing.last));
  }
  if (encoding) add_text(root, "EncodingType", *encoding);
  const bool fetch_owner = !v2 || request.query("fetch-owner") == "true";
  for (const json& object : listing.contents) {
    auto item = root.append_child("Contents");
    add_text(item, "Key", out(object["Key"].get<std::string>()));
    add_text(item, "LastModified",
             xml_time(from_millis(object["LastModified"].get<std::int64_t>())));
    add_text(item, "ETag", object["ETag"].get<std::string>());
    add_text(item, "Size", std::to_string(object["Size"].get<std::uint64_t>()));
    if (fetch_owner) {
      auto owner = item.append_child("Owner");
      add_text(owner, "ID", request.call.caller.account);
      add_text(owner, "DisplayName", "lambdeploy-local");
    }
    add_text(item, "StorageClass", "STANDARD");
  }
  for (const std::string& common : listing.prefixes)
    add_text(root.append_child("CommonPrefixes"), "Prefix", out(common));
  return xml_reply(document);
}

// Buckets are never versioned here, so each object is its one version, "null".
ApiReply list_object_versions(Request& request) {
  require_bucket(request);
  const std::string prefix = request.query("prefix").value_or("");
  const std::string delimiter = request.query("delimiter").value_or("");
  const std::string marker = request.query("key-marker").value_or("");
  const std::size_t max_keys = max_keys_of(request);
  const std::optional<std::string> encoding = encoding_of(request);
  auto out = [&](const std::string& text) { return encoding ? uri_encode(text, true) : text; };
  Listing listing = walk(request, prefix, delimiter, marker, max_keys);
  pugi::xml_document document;
  auto root = document.append_child("ListVersionsResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  add_text(root, "Name", request.bucket);
  add_text(root, "Prefix", out(prefix));
  add_text(root, "KeyMarker", out(marker));
  add_text(root, "VersionIdMarker", request.query("version-id-marker").value_or(""));
  add_text(root, "MaxKeys", std::to_string(max_keys));
  if (!delimiter.empty()) add_text(root, "Delimiter", out(delimiter));
  add_text(root, "IsTruncated", listing.truncated ? "true" : "false");
  if (listing.truncated) {
    add_text(root, "NextKeyMarker", out(listing.last));
    add_text(root, "NextVersionIdMarker", "null");
  }
  if (encoding) add_text(root, "EncodingType", *encoding);
  for (const json& object : listing.contents) {
    auto item = root.append_child("Version");
    add_text(item, "Key", out(object["Key"].get<std::string>()));
    add_text(item, "VersionId", "null");
    add_text(item, "IsLatest", "true");
    add_text(item, "LastModified",
             xml_time(from_millis(object["LastModified"].get<std::int64_t>())));
    add_text(item, "ETag", object["ETag"].get<std::string>());
    add_text(item, "Size", std::to_string(object["Size"].get<std::uint64_t>()));
    auto owner = item.append_child("Owner");
    add_text(owner, "ID", request.call.caller.account);
    add_text(owner, "DisplayName", "lambdeploy-local");
    add_text(item, "StorageClass", "STANDARD");
  }
  for (const std::string& common : listing.prefixes)
    add_text(root.append_child("CommonPrefixes"), "Prefix", out(common));
  return xml_reply(document);
}

}  // namespace ld::local::s3
