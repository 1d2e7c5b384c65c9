#include <array>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/curl_library.hpp"
#include "aws/transport.hpp"
#include "core/strings.hpp"

namespace ld {
namespace {

// Where the request body comes from while curl pulls it: a string or an open file.
struct UploadSource {
  const std::string* text = nullptr;
  std::FILE* file = nullptr;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
  std::string error;  // set when reading failed; curl then reports an aborted transfer
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* src = static_cast<UploadSource*>(user);
  std::uint64_t want = std::min<std::uint64_t>(size * count, src->size - src->offset);
  if (want == 0) return 0;
  std::size_t got = 0;
  if (src->file) {
    got = std::fread(buffer, 1, want, src->file);
    if (got == 0) {
      src->error = std::ferror(src->file) ? "reading the body file failed"
                                          : "the body file got shorter while it was sent";
      return CURL_READFUNC_ABORT;
    }
  } else {
    src->text->copy(buffer, want, src->offset);
    got = want;
  }
  src->offset += got;
  return got;
}

// curl rewinds the body when it resends a request (a reused connection that turned out closed).
int seek_body(void* user, curl_off_t offset, int origin) {
  auto* src = static_cast<UploadSource*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > src->size) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  if (src->file && fseeko(src->file, offset, SEEK_SET) != 0) return CURL_SEEKFUNC_FAIL;
  src->offset = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Collects the header lines of the final response (a 100 Continue's are dropped), case and
// repeats kept.
std::size_t write_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* fields = static_cast<std::vector<Headers::Field>*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    fields->clear();  // a new response begins
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // Obsolete line folding: the line continues the previous field's value.
    if (!fields->empty()) fields->back().value += " " + std::string(trim(line));
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    fields->push_back(
        {std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  }
  return size * count;
}

TransportError::Kind kind_of(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return TransportError::Kind::Connect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::Kind::Timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return TransportError::Kind::Reset;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::Kind::Dns;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return TransportError::Kind::Tls;
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportError::Kind::Io;
    default:
      return TransportError::Kind::Other;
  }
}

// curl's list of extra header lines, freed on scope exit.
struct HeaderList {
  const CurlLibrary& lib;
  curl_slist* list = nullptr;
  explicit HeaderList(const CurlLibrary& library) : lib(library) {}
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { lib.slist_free_all(list); }
  void append(const std::string& line) {
    curl_slist* next = lib.slist_append(list, line.c_str());
    if (!next) throw TransportError(TransportError::Kind::Other, "out of memory for headers");
    list = next;
  }
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// The libcurl transport: a pool of easy handles (each keeps its live connections, so a handle
// taken again talks to the same hosts without a new handshake) sharing DNS and TLS sessions.
// The connection cache itself is not shared: libcurl does not support that across threads.
// libcurl is loaded by the first send (curl_library.hpp), not when the transport is made.
class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions options) : options_(std::move(options)) {
    idle_.reserve(kMaxIdleHandles);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  ~CurlTransport() override {
    if (!share_) return;  // never sent: libcurl may not even be loaded
    for (CURL* handle : idle_) lib_->easy_cleanup(handle);
    lib_->share_cleanup(share_);
  }

  HttpResponse send(const HttpRequest& request) override {
    std::unique_ptr<CURL, Returner> handle(checkout(), Returner{this});
    return perform(handle.get(), request);
  }

 private:
  static constexpr std::size_t kMaxIdleHandles = 8;

  // Gives a handle back to the pool when a send ends, however it ends.
  struct Returner {
    CurlTransport* owner;
    void operator()(CURL* handle) const { owner->checkin(handle); }
  };

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlTransport*>(user)->share_locks_[index(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlTransport*>(user)->share_locks_[index(data)].unlock();
  }
  static std::size_t index(curl_lock_data data) {
    auto i = static_cast<std::size_t>(data);
    return i < kLockSlots ? i : 0;
  }

  CURL* checkout() {
    {
      std::lock_guard lock(pool_mu_);
      if (!share_) start();
      if (!idle_.empty()) {
        CURL* handle = idle_.back();  // the most recently used has the warmest connections
        idle_.pop_back();
        return handle;
      }
    }
    CURL* handle = lib_->easy_init();
    if (!handle) throw TransportError(TransportError::Kind::Other, "curl_easy_init failed");
    return handle;
  }

  // The first send: loads libcurl (throws when it cannot) and makes the share. Under pool_mu_.
  void start() {
    const CurlLibrary& lib = curl_library();
    CURLSH* share = lib.share_init();
    if (!share) throw TransportError(TransportError::Kind::Other, "curl_share_init failed");
    lib.share_setopt(share, CURLSHOPT_LOCKFUNC, &CurlTransport::lock);
    lib.share_setopt(share, CURLSHOPT_UNLOCKFUNC, &CurlTransport::unlock);
    lib.share_setopt(share, CURLSHOPT_USERDATA, this);
    lib.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    lib.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    lib_ = &lib;
    share_ = share;
  }

  void checkin(CURL* handle) {
    lib_->easy_reset(handle);  // keeps live connections and caches, drops options
    std::lock_guard lock(pool_mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
    } else {
      lib_->easy_cleanup(handle);
    }
  }

  HttpResponse perform(CURL* curl, const HttpRequest& request) {
    const CurlLibrary& lib = *lib_;
    std::string url = request.url();
    // For messages: where the request went, without the query (presigned URLs carry keys).
    std::string where = request.method + " " + request.scheme + "://" + request.authority() +
                        (request.path.empty() ? "/" : request.path);

    UploadSource upload;
    std::unique_ptr<std::FILE, FileCloser> file;
    if (request.body_file) {
      file.reset(std::fopen(request.body_file->c_str(), "rb"));
      if (!file) {
        throw TransportError(TransportError::Kind::Io,
                             where + ": cannot open the body file " + request.body_file->string());
      }
      std::error_code ec;
      upload.size = std::filesystem::file_size(*request.body_file, ec);
      if (ec) {
        throw TransportError(TransportError::Kind::Io, where + ": cannot size the body file " +
                                                           request.body_file->string() + ": " +
                                                           ec.message());
      }
      upload.file = file.get();
    } else {
      upload.text = &request.body;
      upload.size = request.body.size();
    }

    HeaderList headers(lib);
    for (const auto& field : request.headers) {
      // "Name;" is curl's way to send a header with an empty value.
      headers.append(field.value.empty() ? field.name + ";" : field.name + ": " + field.value);
    }
    // Headers curl would add by itself: they are not signed and the services do not want them.
    if (!request.headers.has("Expect")) headers.append("Expect:");
    if (!request.headers.has("Accept")) headers.append("Accept:");
    if (!request.headers.has("Content-Type")) headers.append("Content-Type:");

    std::array<char, CURL_ERROR_SIZE> error_text{};
    HttpResponse response;

    lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
    lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text.data());
    lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    lib.easy_setopt(curl, CURLOPT_SHARE, share_);
#if LIBCURL_VERSION_NUM >= 0x075500
    lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    lib.easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    lib.easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    // The path is signed as it is: curl must not squash "." or ".." segments (S3 keys).
    lib.easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    lib.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    lib.easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                    static_cast<long>(options_.connect_timeout.count()));
    lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) lib.easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);

    bool sends_body = upload.size > 0 || request.method == "POST" || request.method == "PUT" ||
                      request.method == "PATCH";
    if (request.method == "HEAD") {
      lib.easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (sends_body) {
      // An upload with a known size: Content-Length exact, body pulled piece by piece.
      lib.easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      lib.easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.size));
      lib.easy_setopt(curl, CURLOPT_READFUNCTION, &read_body);
      lib.easy_setopt(curl, CURLOPT_READDATA, &upload);
      lib.easy_setopt(curl, CURLOPT_SEEKFUNCTION, &seek_body);
      lib.easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
      lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else if (request.method != "GET") {
      lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, &write_body);
    lib.easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, &write_header);
    std::vector<Headers::Field> header_fields;
    lib.easy_setopt(curl, CURLOPT_HEADERDATA, &header_fields);

    CURLcode code = lib.easy_perform(curl);
    if (code != CURLE_OK) {
      std::string detail = !upload.error.empty() ? upload.error
                           : error_text[0]       ? std::string(error_text.data())
                                                 : std::string(lib.easy_strerror(code));
      auto kind = upload.error.empty() ? kind_of(code) : TransportError::Kind::Io;
      if (!upload.error.empty() && request.body_file)
        detail += " (" + request.body_file->string() + ")";
      throw TransportError(kind, where + ": " + detail);
    }
    long status = 0;
    lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    for (auto& field : header_fields) {
      response.headers.add(std::move(field.name), std::move(field.value));
    }
    return response;
  }

  static constexpr std::size_t kLockSlots = 16;

  TransportOptions options_;
  // Set by start() under pool_mu_, never changed after: libcurl's functions and the share.
  const CurlLibrary* lib_ = nullptr;
  CURLSH* share_ = nullptr;
  std::array<std::mutex, kLockSlots> share_locks_;
  std::mutex pool_mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<Transport> make_curl_transport(TransportOptions options) {
  return std::make_shared<CurlTransport>(std::move(options));
}

}  // namespace ld
