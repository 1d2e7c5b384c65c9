#include "local/sent_headers.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld::local {

namespace {

constexpr std::string_view kVersionId = "?versionId=";

void add_unique(std::vector<std::string>& forms, std::string form) {
  if (std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
}

// `s` with every byte but RFC 3986's unreserved ones and those in `kept` percent-encoded.
std::string encode_keeping(std::string_view s, std::string_view kept) {
  std::string out;
  for (char c : s) {
    if (kept.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += uri_encode(std::string_view(&c, 1));
    }
  }
  return out;
}

// "k=v&k2=v2" with each key and value encoded, a '+' kept (a space sent as '+') or not (%2B).
std::string encode_form(std::string_view received, bool keep_plus) {
  const std::string_view kept = keep_plus ? "+" : "";
  std::string out;
  for (const std::string& pair : split(received, '&')) {
    if (!out.empty()) out.push_back('&');
    const std::size_t eq = pair.find('=');
    out += encode_keeping(std::string_view(pair).substr(0, eq), kept);
    if (eq != std::string::npos) out += "=" + encode_keeping(pair.substr(eq + 1), kept);
  }
  return out;
}

// The headers cpp-httplib decoded that SDKs percent-encode, with the forms each may have had.
std::vector<std::pair<std::string, std::vector<std::string>>> encoded_headers(
    const HttpRequest& request, std::string_view signed_headers) {
  std::vector<std::pair<std::string, std::vector<std::string>>> found;
  const std::vector<std::string> names = split(to_lower(signed_headers), ';');
  auto is_signed = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (auto source = request.headers.get("x-amz-copy-source");
      source && is_signed("x-amz-copy-source")) {
    found.emplace_back("x-amz-copy-source", copy_source_forms(*source));
  }
  if (auto tagging = request.headers.get("x-amz-tagging"); tagging && is_signed("x-amz-tagging"))
    found.emplace_back("x-amz-tagging", tagging_forms(*tagging));
  return found;
}

}  // namespace

std::vector<std::string> copy_source_forms(std::string_view received) {
  std::vector<std::string> forms{std::string(received)};
  std::string_view path = received;
  std::string_view version;
  if (const std::size_t at = received.rfind(kVersionId); at != std::string_view::npos) {
    path = received.substr(0, at);
    version = received.substr(at);
  }
  add_unique(forms, uri_encode(path, true) + std::string(version));
  // Go's url.PathEscape leaves these unencoded.
  add_unique(forms, encode_keeping(path, "/$&+,:;=@") + std::string(version));
  // The whole value encoded (a key that holds "?versionId=" itself).
  add_unique(forms, uri_encode(received, true));
  return forms;
}

std::vector<std::string> tagging_forms(std::string_view received) {
  std::vector<std::string> forms{std::string(received)};
  add_unique(forms, encode_form(received, true));
  add_unique(forms, encode_form(received, false));
  return forms;
}

aws::VerifyResult verify_as_sent(const HttpRequest& request, const aws::SecretLookup& secret_for,
                                 Timestamp now) {
  aws::VerifyResult first = aws::verify_request(request, secret_for, now);
  // Only S3 takes these headers; its payload hash is the one declared, so the body is not hashed
  // again for each form.
  if (first.failure != aws::AuthFailure::SignatureMismatch || first.service != "s3") return first;
  const auto headers = encoded_headers(request, first.signed_headers);
  if (headers.empty()) return first;
  // Every combination of the headers' forms but the all-as-received one, already tried.
  std::vector<std::size_t> choice(headers.size(), 0);
  Headers sent = request.headers;
  while (true) {
    std::size_t i = 0;
    while (i < choice.size() && ++choice[i] == headers[i].second.size()) choice[i++] = 0;
    if (i == choice.size()) return first;
    for (std::size_t h = 0; h < headers.size(); ++h)
      sent.set(headers[h].first, headers[h].second[choice[h]]);
    aws::VerifyResult again = aws::verify_request(request, secret_for, now, &sent);
    if (again.failure != aws::AuthFailure::SignatureMismatch) return again;
  }
}

}  // namespace ld::local
