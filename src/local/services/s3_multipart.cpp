// S3 multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload and AbortMultipartUpload (what `aws s3 cp` uses for files over 8 MB).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "core/uuid.hpp"
#include "local/services/s3_request.hpp"

namespace ld::local::s3 {

namespace {

using nlohmann::json;

constexpr std::uint64_t kMinimumPartSize = 5ull * 1024 * 1024;

// Uploads are keyed "<bucket>/<upload id>" so a bucket with uploads in progress is not empty.
std::string upload_key(const Request& request, const std::string& upload_id) {
  return object_key(request.bucket, upload_id);
}

std::string part_key(const std::string& upload_id, int number) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%05d", number);
  return upload_id + "/" + digits;
}

ApiError no_such_upload(const std::string& upload_id) {
  ApiError error("NoSuchUpload",
                 "The specified upload does not exist. The upload ID may be invalid, or the "
                 "upload may have been aborted or completed.",
                 404);
  error.extra["UploadId"] = upload_id;
  return error;
}

Record require_upload(const Request& request, const std::string& upload_id) {
  std::optional<Record> upload =
      request.state.records->get(kUploadKind, upload_key(request, upload_id));
  if (!upload || upload->document.value("Key", std::string()) != request.key)
    throw no_such_upload(upload_id);
  return *upload;
}

int part_number_of(const Request& request) {
  const std::string text = request.query("partNumber").value_or("");
  int number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 1 || number > 10000) {
    throw invalid_argument("Part number must be an integer between 1 and 10000, inclusive",
                           "partNumber", text);
  }
  return number;
}

std::string unquoted(std::string_view etag) {
  etag = trim(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::string hex_to_bytes(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

void remove_upload(Records::Tx& tx, const std::string& upload_record,
                   const std::string& upload_id) {
  tx.remove(kUploadKind, upload_record);
  Page parts = tx.list(kPartKind, {.prefix = upload_id + "/", .marker = "", .limit = 0});
  for (const Record& part : parts.records) tx.remove(kPartKind, part.key);
}

}  // namespace

ApiReply create_multipart_upload(Request& request) {
  require_bucket(request);
  std::string upload_id = random_uuid();
  upload_id.erase(std::remove(upload_id.begin(), upload_id.end(), '-'), upload_id.end());
  StoredHeaders headers = stored_headers(request.http);
  json upload = {{"Key", request.key},
                 {"ContentType", std::move(headers.content_type)},
                 {"Metadata", user_metadata(request.http)},
                 {"Headers", std::move(headers.headers)},
                 {"Initiated", to_millis(request.call.now)}};
  if (!headers.latin1.empty()) upload["Latin1Headers"] = std::move(headers.latin1);
  request.state.records->put(kUploadKind, upload_key(request, upload_id), upload);
  pugi::xml_document document;
  auto root = document.append_child("InitiateMultipartUploadResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  add_text(root, "Bucket", request.bucket);
  add_text(root, "Key", request.key);
  add_text(root, "UploadId", upload_id);
  return xml_reply(document);
}

ApiReply upload_part(Request& request) {
  require_bucket(request);
  const std::string upload_id = request.query("uploadId").value_or("");
  const int number = part_number_of(request);
  require_upload(request, upload_id);
  Headers trailers;
  const std::string bytes = payload_of(request, trailers);
  check_digests(request, trailers, bytes);
  const BlobRef blob = request.state.blobs->put(bytes);
  const std::string etag = quoted_md5(bytes);
  request.state.records->transaction([&](Records::Tx& tx) {
    if (!tx.get(kUploadKind, upload_key(request, upload_id))) throw no_such_upload(upload_id);
    tx.put(kPartKind, part_key(upload_id, number),
           {{"Digest", blob.digest}, {"Size", blob.size}, {"ETag", etag}});
  });
  ApiReply reply;
  reply.headers.set("ETag", etag);
  return reply;
}

// x-amz-copy-source-range ("bytes=first-last", both given) against a source of `size` bytes.
std::pair<std::uint64_t, std::uint64_t> copy_range_of(const std::string& header,
                                                      std::uint64_t size) {
  const ApiError malformed = invalid_argument(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and "
      "last are the zero-based offsets of the first and last bytes to copy",
      "x-amz-copy-source-range", header);
  std::string_view spec = trim(header);
  if (!spec.starts_with("bytes=")) throw malformed;
  spec.remove_prefix(6);
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) throw malformed;
  auto number = [&](std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) throw malformed;
    return value;
  };
  const std::uint64_t first = number(spec.substr(0, dash));
  const std::uint64_t last = number(spec.substr(dash + 1));
  if (last < first) throw malformed;
  if (last >= size) {
    throw invalid_argument(
        "Range specified is not valid for source object of size: " + std::to_string(size),
        "x-amz-copy-source-range", header);
  }
  return {first, last};
}

ApiReply upload_part_copy(Request& request) {
  require_bucket(request);
  const std::string upload_id = request.query("uploadId").value_or("");
  const int number = part_number_of(request);
  const auto [source_bucket, source_key] = copy_source_of(request);
  const Record source = require_object(request, source_bucket, source_key);
  require_upload(request, upload_id);
  std::string bytes = request.state.blobs->read(source.document["Digest"].get<std::string>());
  if (auto range = request.header("x-amz-copy-source-range")) {
    const auto [first, last] = copy_range_of(*range, bytes.size());
    bytes = bytes.substr(first, last - first + 1);
  }
  const BlobRef blob = request.state.blobs->put(bytes);
  const std::string etag = quoted_md5(bytes);
  const Timestamp now = whole_seconds(request.call.now);
  request.state.records->transaction([&](Records::Tx& tx) {
    if (!tx.get(kUploadKind, upload_key(request, upload_id))) throw no_such_upload(upload_id);
    tx.put(kPartKind, part_key(upload_id, number),
           {{"Digest", blob.digest}, {"Size", blob.size}, {"ETag", etag}});
  });
  pugi::xml_document document;
  auto root = document.append_child("CopyPartResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  add_text(root, "ETag", etag);
  add_text(root, "LastModified", xml_time(now));
  return xml_reply(document);
}

ApiReply complete_multipart_upload(Request& request) {
  require_bucket(request);
  const std::string upload_id = request.query("uploadId").value_or("");
  const Record upload = require_upload(request, upload_id);
  pugi::xml_document body;
  if (!body.load_buffer(request.http.body.data(), request.http.body.size()) ||
      !body.child("CompleteMultipartUpload")) {
    throw ApiError("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our "
                   "published schema",
                   400);
  }
  std::vector<std::pair<int, std::string>> wanted;
  for (pugi::xml_node part : body.child("CompleteMultipartUpload").children("Part")) {
    int number = 0;
    std::string text = part.child_value("PartNumber");
    std::from_chars(text.data(), text.data() + text.size(), number);
    wanted.emplace_back(number, unquoted(part.child_value("ETag")));
  }
  if (wanted.empty()) {
    throw ApiError("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our "
                   "published schema",
                   400);
  }
  const ApiError invalid_part(
      "InvalidPart",
      "One or more of the specified parts could not be found.  The part may not have been "
      "uploaded, or the specified entity tag may not have matched the part's entity tag.",
      400);
  std::vector<json> parts;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (i > 0 && wanted[i].first <= wanted[i - 1].first) {
      throw ApiError("InvalidPartOrder",
                     "The list of parts was not in ascending order. Parts must be ordered by part "
                     "number.",
                     400);
    }
    std::optional<Record> stored =
        request.state.records->get(kPartKind, part_key(upload_id, wanted[i].first));
    if (!stored || unquoted(stored->document["ETag"].get<std::string>()) != wanted[i].second)
      throw invalid_part;
    parts.push_back(stored->document);
  }
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i]["Size"].get<std::uint64_t>() < kMinimumPartSize) {
      ApiError error("EntityTooSmall",
                     "Your proposed upload is smaller than the minimum allowed size", 400);
      error.extra["ProposedSize"] = std::to_string(parts[i]["Size"].get<std::uint64_t>());
      error.extra["MinSizeAllowed"] = std::to_string(kMinimumPartSize);
      throw error;
    }
  }
  // The object's bytes: the parts joined, streamed blob to blob.
  BlobWriter writer = request.state.blobs->writer();
  std::string md5s;
  std::vector<char> buffer(1 << 20);
  for (const json& part : parts) {
    std::ifstream in = request.state.blobs->open(part["Digest"].get<std::string>());
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      if (in.gcount() > 0)
        writer.write(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    }
    md5s += hex_to_bytes(unquoted(part["ETag"].get<std::string>()));
  }
  const BlobRef blob = writer.commit();
  const auto digest = md5(md5s);
  const std::string etag =
      "\"" +
      hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())) +
      "-" + std::to_string(parts.size()) + "\"";
  const json& meta = upload.document;
  json object = {{"Key", request.key},
                 {"Digest", blob.digest},
                 {"Size", blob.size},
                 {"ETag", etag},
                 {"LastModified", to_millis(whole_seconds(request.call.now))},
                 {"ContentType", meta.value("ContentType", std::string()).empty()
                                     ? std::string("binary/octet-stream")
                                     : meta.value("ContentType", std::string())},
                 {"Metadata", meta.value("Metadata", json::object())},
                 {"Headers", meta.value("Headers", json::object())},
                 {"PartsCount", parts.size()}};
  if (meta.contains("Latin1Headers")) object["Latin1Headers"] = meta["Latin1Headers"];
  request.state.records->transaction([&](Records::Tx& tx) {
    if (!tx.get(kUploadKind, upload_key(request, upload_id))) throw no_such_upload(upload_id);
    tx.put(kObjectKind, object_key(request.bucket, request.key), object);
    remove_upload(tx, upload_key(request, upload_id), upload_id);
  });
  pugi::xml_document document;
  auto root = document.append_child("CompleteMultipartUploadResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  add_text(root, "Location", "/" + request.bucket + "/" + uri_encode(request.key, true));
  add_text(root, "Bucket", request.bucket);
  add_text(root, "Key", request.key);
  add_text(root, "ETag", etag);
  return xml_reply(document);
}

ApiReply abort_multipart_upload(Request& request) {
  require_bucket(request);
  const std::string upload_id = request.query("uploadId").value_or("");
  require_upload(request, upload_id);
  request.state.records->transaction(
      [&](Records::Tx& tx) { remove_upload(tx, upload_key(request, upload_id), upload_id); });
  ApiReply reply;
  reply.status = 204;
  return reply;
}

}  // namespace ld::local::s3
