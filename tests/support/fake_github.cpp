#include "support/fake_github.hpp"

#include <httplib.h>
#include <zip.h>

#include <cctype>
#include <cstring>
#include <stdexcept>

namespace ld::test {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void put_u32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[at + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::uint32_t get_u16(const std::string& bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8);
}

std::uint32_t get_u32(const std::string& bytes, std::size_t at) {
  return get_u16(bytes, at) | (get_u16(bytes, at + 2) << 16);
}

}  // namespace

std::string build_zip(const std::vector<ZipFile>& files) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) throw std::runtime_error("build_zip: no buffer source");
  zip_t* zip = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (zip == nullptr) {
    zip_source_free(buffer);
    throw std::runtime_error("build_zip: cannot open the buffer as a zip");
  }
  zip_source_keep(buffer);
  for (const auto& file : files) {
    zip_int64_t index;
    if (file.directory) {
      index = zip_dir_add(zip, file.name.c_str(), ZIP_FL_ENC_UTF_8);
    } else {
      zip_source_t* content = zip_source_buffer(zip, file.content.data(), file.content.size(), 0);
      index = zip_file_add(zip, file.name.c_str(), content, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
      if (index < 0) zip_source_free(content);
    }
    if (index < 0)
      throw std::runtime_error("build_zip: cannot add " + file.name + ": " + zip_strerror(zip));
    zip_file_set_mtime(zip, static_cast<zip_uint64_t>(index), 1700000000, 0);
  }
  if (zip_close(zip) != 0) throw std::runtime_error("build_zip: cannot write the zip");
  zip_stat_t stat;
  zip_stat_init(&stat);
  std::string bytes;
  if (zip_source_stat(buffer, &stat) == 0 && zip_source_open(buffer) == 0) {
    bytes.resize(stat.size);
    const zip_int64_t n = zip_source_read(buffer, bytes.data(), stat.size);
    bytes.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    zip_source_close(buffer);
  }
  zip_source_free(buffer);
  return bytes;
}

void set_declared_size(std::string& zip, std::string_view name, std::uint32_t size) {
  bool found = false;
  for (std::size_t at = 0; at + 46 <= zip.size(); ++at) {
    if (std::memcmp(zip.data() + at, "PK\x01\x02", 4) != 0) continue;
    const std::uint32_t name_length = get_u16(zip, at + 28);
    if (std::string_view(zip.data() + at + 46, name_length) != name) continue;
    put_u32(zip, at + 24, size);
    const std::uint32_t local = get_u32(zip, at + 42);
    if (local + 30 <= zip.size() && std::memcmp(zip.data() + local, "PK\x03\x04", 4) == 0) {
      put_u32(zip, local + 22, size);
    }
    found = true;
  }
  if (!found) throw std::runtime_error("set_declared_size: no entry " + std::string(name));
}

std::optional<std::string> GitHubRequest::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

FakeGitHub::FakeGitHub() : server_(std::make_unique<httplib::Server>()) {
  auto json = [](httplib::Response& res, const std::string& body) {
    res.set_content(body, "application/json; charset=utf-8");
  };
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    GitHubRequest seen;
    seen.method = req.method;
    seen.path = req.path;
    const auto q = req.target.find('?');
    seen.query = q == std::string::npos ? "" : req.target.substr(q + 1);
    for (const auto& [name, value] : req.headers) seen.headers[lower(name)] = value;
    Mode mode;
    std::chrono::milliseconds delay;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(seen));
      mode = mode_;
      delay = delay_;
    }
    if (mode == Mode::Slow) std::this_thread::sleep_for(delay);
    if (mode == Mode::Error500) {
      res.status = 500;
      res.set_content(R"({"message":"Server Error"})", "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (mode == Mode::NotFound) {
      res.status = 404;
      res.set_content(R"({"message":"Not Found"})", "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->Get("/", [json](const httplib::Request&, httplib::Response& res) {
    json(
        res,
        R"({"current_user_url":"https://api.github.com/user","rate_limit_url":"https://api.github.com/rate_limit"})");
  });
  server_->Get("/rate_limit", [json](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-RateLimit-Limit", "60");
    json(
        res,
        R"({"resources":{"core":{"limit":60,"remaining":59,"used":1}},"rate":{"limit":60,"remaining":59}})");
  });
  server_->Get(R"(/repos/([^/]+)/([^/]+))",
               [json](const httplib::Request& req, httplib::Response& res) {
                 json(res, "{\"full_name\":\"" + req.matches[1].str() + "/" + req.matches[2].str() +
                               "\",\"default_branch\":\"main\"}");
               });
  server_->Get(R"(/repos/([^/]+)/([^/]+)/commits)",
               [json](const httplib::Request& req, httplib::Response& res) {
                 json(res, "[{\"sha\":\"1a2b3c\",\"commit\":{\"message\":\"first on " +
                               req.get_param_value("sha") + "\"}}]");
               });
  server_->Get(R"(/repos/([^/]+)/([^/]+)/issues)",
               [json](const httplib::Request&, httplib::Response& res) {
                 json(res, R"([{"number":1,"title":"a bug"}])");
               });
  server_->Get(R"(/repos/([^/]+)/([^/]+)/zipball/(.+))", [](const httplib::Request& req,
                                                            httplib::Response& res) {
    res.status = 302;
    res.set_header("Location", "/codeload/" + req.matches[1].str() + "/" + req.matches[2].str() +
                                   "/legacy.zip/" + req.matches[3].str());
  });
  server_->Get(R"(/codeload/([^/]+)/([^/]+)/legacy.zip/(.+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 const std::string key =
                     req.matches[1].str() + "/" + req.matches[2].str() + "/" + req.matches[3].str();
                 std::lock_guard lock(mu_);
                 const auto it = zips_.find(key);
                 if (it == zips_.end()) {
                   res.status = 404;
                   res.set_content("404: Not Found", "text/plain");
                   return;
                 }
                 res.set_content(it->second, "application/zip");
               });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("FakeGitHub: cannot listen on 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeGitHub::~FakeGitHub() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeGitHub::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeGitHub::set_zipball(const std::string& owner, const std::string& name,
                             const std::string& ref, std::string zip) {
  std::lock_guard lock(mu_);
  zips_[owner + "/" + name + "/" + ref] = std::move(zip);
}

void FakeGitHub::set_mode(Mode mode, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  mode_ = mode;
  delay_ = delay;
}

std::vector<GitHubRequest> FakeGitHub::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

}  // namespace ld::test
