#include "local/instance.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "local/process_memory.hpp"

namespace ld::local {

namespace fs = std::filesystem;

namespace {

std::int64_t epoch_ms() {
  return system_now().time_since_epoch().count();
}

std::string hex_id() {
  std::string u = random_uuid();
  std::string out;
  for (char c : u)
    if (c != '-') out += c;
  return out;
}

// "2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef", as Lambda names instance streams.
std::string stream_name(const std::string& version) {
  std::string date = format_date_stamp(system_now());
  return date.substr(0, 4) + "/" + date.substr(4, 2) + "/" + date.substr(6, 2) + "/[" + version +
         "]" + hex_id();
}

// X-Ray's trace header format: Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;Sampled=0.
std::string trace_id() {
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08llx", static_cast<unsigned long long>(epoch_ms() / 1000));
  std::string h = hex_id();
  return std::string("Root=1-") + epoch + "-" + h.substr(0, 24) + ";Parent=" + h.substr(16, 16) +
         ";Sampled=0";
}

std::string exit_description(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::strsignal(WTERMSIG(status));
    return "signal: " + to_lower(name ? name : "unknown");
  }
  return "unknown status";
}

// A runtime's error body as Lambda passes it on: the JSON it sent, else one built from the
// Lambda-Runtime-Function-Error-Type header.
std::string error_body(const std::string& type, const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object()) return body;
  return lambda_error_document(type.empty() ? "Unhandled" : type, body);
}

// The errorType of an error document ("Runtime.Unknown" when it has none).
std::string error_type_of(const std::string& doc) {
  auto parsed = nlohmann::json::parse(doc, nullptr, false);
  if (parsed.is_object() && parsed.contains("errorType") && parsed["errorType"].is_string())
    return parsed["errorType"].get<std::string>();
  return "Runtime.Unknown";
}

}  // namespace

std::string lambda_error_document(const std::string& type, const std::string& message) {
  nlohmann::ordered_json doc;
  doc["errorType"] = type;
  doc["errorMessage"] = message;
  return doc.dump();
}

bool Invocation::complete(std::string result_payload, std::optional<std::string> error,
                          std::string type) {
  {
    std::lock_guard lock(m);
    if (done) return false;
    done = true;
    finished_at = SteadyClock::now();
    result = std::move(result_payload);
    function_error = std::move(error);
    error_type = std::move(type);
  }
  cv.notify_all();
  // A writer waiting for the caller to read gives up: nothing more is taken.
  if (stream) stream->close();
  return true;
}

void Invocation::add_log(const std::string& message) {
  std::lock_guard lock(m);
  log += message;
  if (log.size() > 64 * 1024) log.erase(0, log.size() - 8 * 1024);
}

Instance::Instance(InstanceSpec spec)
    : spec_(std::move(spec)), stream_(stream_name(spec_.image.version)), server_(*this) {}

void remove_instance_files(const fs::path& dir) {
  std::error_code ec;
  if (fs::remove_all(dir, ec) != static_cast<std::uintmax_t>(-1) && !ec) return;
  // A function (the same user, without root) can leave folders it took its own permissions
  // from: give them back, then try again.
  std::vector<fs::path> pending{dir};
  while (!pending.empty()) {
    const fs::path folder = std::move(pending.back());
    pending.pop_back();
    ::chmod(folder.c_str(), 0700);
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec)) pending.push_back(it->path());
  }
  fs::remove_all(dir, ec);
}

Instance::~Instance() {
  kill();
  if (watcher_.joinable()) watcher_.join();
  server_.stop();
  if (statm_fd_ >= 0) ::close(statm_fd_);
  if (pidfd_ >= 0) ::close(pidfd_);
  if (status_fd_ >= 0) ::close(status_fd_);
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
  remove_instance_files(spec_.instance_dir);
}

bool Instance::start() {
  const FunctionImage& img = spec_.image;
  const Isolation& isolation = spec_.sandbox->isolation();
  const bool ns = isolation.mount_namespace;
  fs::path bootstrap = spec_.task_root / "bootstrap";
  std::string exec_path = ns ? "/var/task/bootstrap" : bootstrap.string();
  if (!fs::exists(bootstrap)) {
    bootstrap = spec_.opt_root / "bootstrap";
    exec_path = ns ? "/opt/bootstrap" : bootstrap.string();
  }
  if (!fs::exists(bootstrap)) {
    start_error_ = lambda_error_document(
        "Runtime.InvalidEntrypoint",
        "Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
    return false;
  }
  fs::path tmp = spec_.instance_dir / "tmp";
  fs::create_directories(tmp);
  spec_.sandbox->hand_over(tmp);
  server_.start();

  std::string task = ns ? "/var/task" : spec_.task_root.string();
  std::string opt = ns ? "/opt" : spec_.opt_root.string();
  std::map<std::string, std::string> env = img.environment;
  auto set_default = [&](const std::string& k, const std::string& v) { env.emplace(k, v); };
  set_default("AWS_ACCESS_KEY_ID", "test");
  set_default("AWS_SECRET_ACCESS_KEY", "test");
  set_default("LANG", "en_US.UTF-8");
  if (!spec_.endpoint_url.empty()) set_default("AWS_ENDPOINT_URL", spec_.endpoint_url);
  env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(server_.port());
  env["_HANDLER"] = img.handler;
  env["LAMBDA_TASK_ROOT"] = task;
  env["LAMBDA_RUNTIME_DIR"] = ns ? "/var/runtime" : task;
  env["AWS_LAMBDA_FUNCTION_NAME"] = img.function_name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = img.version;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(img.memory_mb);
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = img.log_group;
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = stream_;
  env["AWS_REGION"] = img.region;
  env["AWS_DEFAULT_REGION"] = img.region;
  env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + img.runtime;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] =
      spec_.provisioned ? "provisioned-concurrency" : "on-demand";
  env["TZ"] = ":UTC";
  env["PATH"] =
      ns ? "/usr/local/bin:/usr/bin/:/bin:/opt/bin" : opt + "/bin:/usr/local/bin:/usr/bin:/bin";
  env["LD_LIBRARY_PATH"] = task + ":" + task + "/lib:" + opt + "/lib";
  if (!ns) env["TMPDIR"] = tmp.string();

  SandboxCommand command;
  command.program = exec_path;
  for (const auto& [k, v] : env) command.environment.push_back(k + "=" + v);
  command.workdir = task;
  command.task_root = spec_.task_root;
  command.opt_root = spec_.opt_root;
  command.tmp_root = tmp;

  int out_pipe[2], err_pipe[2], status_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      (isolation.init && ::pipe2(status_pipe, O_CLOEXEC) != 0))
    throw Error(std::string("pipe: ") + std::strerror(errno));
  command.stdout_fd = out_pipe[1];
  command.stderr_fd = err_pipe[1];
  command.status_fd = status_pipe[1];
  const auto spawned_at = SteadyClock::now();
  pid_t pid = -1;
  try {
    pid = spec_.sandbox->start(command);
  } catch (...) {
    for (int fd :
         {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], status_pipe[0], status_pipe[1]})
      if (fd >= 0) ::close(fd);
    throw;
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (status_pipe[1] >= 0) ::close(status_pipe[1]);
  if (status_pipe[0] >= 0) ::fcntl(status_pipe[0], F_SETFL, O_NONBLOCK);
  {
    std::lock_guard lock(m_);
    pid_ = pid;
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    pid_namespace_ = isolation.pid_namespace;
    init_ = isolation.init;
    alive_ = true;
    spawned_at_ = spawned_at;
  }
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  status_fd_ = status_pipe[0];
  log("INIT_START Runtime Version: " + img.runtime +
      "\tRuntime Version ARN: arn:aws:lambda:" + img.region + "::runtime:lambdeploy-local\n");
  watcher_ = std::thread([this] { watch(); });
  return true;
}

void Instance::assign(std::shared_ptr<Invocation> invocation) {
  std::string init_doc;
  bool dead;
  {
    std::lock_guard lock(m_);
    // What the bootstrap wrote before its first invocation belongs to that invocation's tail.
    if (!init_log_.empty()) invocation->add_log(init_log_);
    init_log_.clear();
    assigned_once_ = true;
    current_ = invocation;
    init_doc = init_error_;
    dead = !alive_;
  }
  if (!init_doc.empty()) {
    // The runtime already reported its init failure: the invocation gets it at once.
    invocation->complete(init_doc, "Unhandled", error_type_of(init_doc));
    return;
  }
  if (dead) {
    // It died between being chosen and now (its exit status went unobserved).
    const std::string why =
        "RequestId: " + invocation->id + " Error: Runtime exited without providing a reason";
    log(why + "\nRuntime.ExitError\n", invocation.get());
    invocation->complete(lambda_error_document("Runtime.ExitError", why), "Unhandled",
                         "Runtime.ExitError");
    return;
  }
  // A warm runtime's GET /next is answered from this thread; otherwise the server's thread
  // answers it when the runtime asks.
  if (!server_.deliver()) server_.wake();
}

void Instance::kill(bool out_of_memory) {
  std::lock_guard lock(m_);
  if (out_of_memory) out_of_memory_ = true;
  if (alive_ && pid_ > 0) {
    if (!pid_namespace_)
      ::kill(-pid_, SIGKILL);
    else if (pidfd_ >= 0)
      ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0U);  // the kernel kills the rest
    else
      ::kill(pid_, SIGKILL);
  }
  // From now on the instance takes no invocation, even before the watcher has reaped it (a
  // timed-out instance must not be handed the next one only to die under it).
  alive_ = false;
}

void Instance::log(const std::string& message, Invocation* invocation) {
  std::shared_ptr<Invocation> current;
  if (!invocation) {
    std::lock_guard lock(m_);
    current = current_;
    invocation = current.get();
    if (!invocation && !assigned_once_ && init_log_.size() < 8192) init_log_ += message;
  }
  if (invocation) invocation->add_log(message);
  if (spec_.logs) spec_.logs->append(spec_.image.log_group, stream_, {{epoch_ms(), message}});
}

void Instance::settle_output() {
  const auto until = SteadyClock::now() + std::chrono::milliseconds(50);
  std::unique_lock lock(output_m_);
  while (true) {
    int out = 0, err = 0;
    if (out_fd_ >= 0) ::ioctl(out_fd_, FIONREAD, &out);
    if (err_fd_ >= 0) ::ioctl(err_fd_, FIONREAD, &err);
    if (out + err == 0 && output_in_flight_ == 0) return;
    if (output_cv_.wait_until(lock, until) == std::cv_status::timeout) return;
  }
}

bool Instance::alive() const {
  std::lock_guard lock(m_);
  return alive_;
}

bool Instance::initialised() const {
  std::lock_guard lock(m_);
  return initialised_;
}

std::optional<double> Instance::take_init_duration_ms() {
  std::lock_guard lock(m_);
  if (spec_.provisioned || !initialised_ || init_duration_taken_) return std::nullopt;
  init_duration_taken_ = true;
  return init_duration_ms_;
}

void Instance::sample_memory(bool whole_group) {
  std::unique_lock lock(m_);
  if (!alive_) return;
  const pid_t pid = pid_;
  // With lambdeploy-init the bootstrap is PID 2 of the namespace, seen through its own /proc.
  int kb = !init_ ? process_rss_kb(pid, statm_fd_)
           : statm_fd_ >= 0
               ? statm_rss_kb(nullptr, statm_fd_)
               : statm_rss_kb(("/proc/" + std::to_string(pid) + "/root/proc/2/statm").c_str(),
                              statm_fd_);
  const bool pid_namespace = pid_namespace_, init = init_;
  lock.unlock();
  if (whole_group)
    kb = std::max(kb, pid_namespace ? namespace_rss_kb(pid, init) : process_group_rss_kb(pid));
  lock.lock();
  rss_kb_ = kb;
  if (kb > max_rss_kb_) max_rss_kb_ = kb;
}

int Instance::max_memory_mb() const {
  std::lock_guard lock(m_);
  return (max_rss_kb_ + 1023) / 1024;
}

int Instance::rss_mb() const {
  std::lock_guard lock(m_);
  return (rss_kb_ + 1023) / 1024;
}

std::optional<RuntimeReply> Instance::next() {
  std::shared_ptr<Invocation> inv;
  {
    std::lock_guard lock(m_);
    if (!initialised_) {
      initialised_ = true;
      init_duration_ms_ =
          std::chrono::duration<double, std::milli>(SteadyClock::now() - spawned_at_).count();
    }
    if (!current_) return std::nullopt;
    std::lock_guard inv_lock(current_->m);
    if (current_->delivered || current_->done) return std::nullopt;
    current_->delivered = true;
    current_->delivered_at = SteadyClock::now();
    current_->deadline_epoch_ms = epoch_ms() + current_->timeout_ms;
    inv = current_;
  }
  // The invoking thread waited for init: now it waits for the deadline.
  if (inv->wake_on_delivery) inv->cv.notify_all();
  RuntimeReply reply;
  reply.status = 200;
  reply.body = inv->payload;
  reply.headers = {{"Lambda-Runtime-Aws-Request-Id", inv->id},
                   {"Lambda-Runtime-Deadline-Ms", std::to_string(inv->deadline_epoch_ms)},
                   {"Lambda-Runtime-Invoked-Function-Arn", inv->invoked_arn},
                   {"Lambda-Runtime-Trace-Id", trace_id()}};
  if (!inv->client_context.empty())
    reply.headers.emplace_back("Lambda-Runtime-Client-Context", inv->client_context);
  log("START RequestId: " + inv->id + " Version: " + spec_.image.version + "\n", inv.get());
  return reply;
}

std::shared_ptr<Invocation> Instance::current_delivered(const std::string& id) {
  std::lock_guard lock(m_);
  if (!current_ || current_->id != id) return nullptr;
  std::lock_guard inv_lock(current_->m);
  if (!current_->delivered || current_->done) return nullptr;
  return current_;
}

namespace {
RuntimeReply invalid_request_id() {
  RuntimeReply r;
  r.status = 400;
  r.body = R"({"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})";
  return r;
}
}  // namespace

namespace {
// A buffered response's limit (and a streamed one's when the caller reads it whole).
constexpr std::size_t kMaxPayload = 6 * 1024 * 1024 + 100;
// A streamed response's limit: Lambda's documented 200 MB.
constexpr std::size_t kMaxStreamedPayload = 200 * 1024 * 1024;

// Ends an invocation whose response is over `limit` bytes, and the Runtime API's 413.
RuntimeReply too_large(Invocation& inv, std::size_t limit) {
  const std::string size = std::to_string(limit);
  inv.complete(lambda_error_document("Function.ResponseSizeTooLarge",
                                     "Response payload size exceeded maximum allowed payload "
                                     "size (" +
                                         size + " bytes)."),
               "Unhandled");
  RuntimeReply r;
  r.status = 413;
  r.body = nlohmann::json{{"errorMessage",
                           "Exceeded maximum allowed payload size (" + size + " bytes)."},
                          {"errorType", "RequestEntityTooLarge"}}
               .dump();
  return r;
}
}  // namespace

RuntimeReply Instance::response(const std::string& request_id, std::string body) {
  auto inv = current_delivered(request_id);
  if (!inv) return invalid_request_id();
  if (body.size() > kMaxPayload) return too_large(*inv, kMaxPayload);
  inv->complete(std::move(body), std::nullopt);
  return {};
}

std::optional<RuntimeReply> Instance::stream_begin(const std::string& request_id) {
  if (!current_delivered(request_id)) return invalid_request_id();
  return std::nullopt;
}

std::optional<RuntimeReply> Instance::stream_part(const std::string& request_id,
                                                  std::string_view bytes) {
  auto inv = current_delivered(request_id);
  if (!inv) return invalid_request_id();
  const std::size_t limit = inv->stream ? kMaxStreamedPayload : kMaxPayload;
  std::int64_t deadline_epoch_ms = 0;
  std::size_t streamed = 0;
  {
    std::lock_guard lock(inv->m);
    streamed = inv->streamed_bytes += bytes.size();
    if (streamed <= limit && !inv->stream) inv->collected.append(bytes);
    deadline_epoch_ms = inv->deadline_epoch_ms;
  }
  if (streamed > limit) return too_large(*inv, limit);
  if (!inv->stream) return std::nullopt;
  // Waits while the caller is behind, at most until the invocation's deadline (when the
  // executor ends it: complete() closes the stream and the wait ends at once).
  const auto deadline =
      SteadyClock::now() + std::chrono::milliseconds(std::max<std::int64_t>(
                               0, deadline_epoch_ms - static_cast<std::int64_t>(epoch_ms())));
  if (!inv->stream->write(bytes, deadline)) return invalid_request_id();
  return std::nullopt;
}

RuntimeReply Instance::stream_end(const std::string& request_id, const std::string& error_type,
                                  const std::string& encoded_error) {
  auto inv = current_delivered(request_id);
  if (!inv) return invalid_request_id();
  if (!error_type.empty()) {
    // A mid-stream error: the trailers carry its type and its document, base64-encoded.
    const std::optional<std::string> doc = base64_decode(encoded_error);
    inv->complete(encoded_error.empty() || !doc ? lambda_error_document(error_type, "")
                                                : error_body(error_type, *doc),
                  "Unhandled");
    return {};
  }
  std::string collected;
  {
    std::lock_guard lock(inv->m);
    collected = std::move(inv->collected);
  }
  inv->complete(std::move(collected), std::nullopt);
  return {};
}

RuntimeReply Instance::error(const std::string& request_id, const std::string& error_type,
                             std::string body) {
  auto inv = current_delivered(request_id);
  if (!inv) return invalid_request_id();
  inv->complete(error_body(error_type, body), "Unhandled");
  return {};
}

RuntimeReply Instance::init_error(const std::string& error_type, std::string body) {
  std::string doc = error_body(error_type, body);
  std::shared_ptr<Invocation> inv;
  {
    std::lock_guard lock(m_);
    init_error_ = doc;
    inv = current_;
  }
  if (inv) inv->complete(doc, "Unhandled", error_type.empty() ? "Runtime.Unknown" : error_type);
  // Lambda resets an environment whose init failed (the next invocation initialises anew),
  // whether or not the runtime exits by itself.
  kill();
  return {};
}

void Instance::watch() {
  LogOutput output(spec_.output_limits, spawned_at_);
  int fds[2] = {out_fd_, err_fd_};
  std::vector<char> buffer(64 * 1024);
  std::vector<std::string> events;
  auto drain = [&](int i) {
    {
      std::lock_guard lock(output_m_);
      ++output_in_flight_;
    }
    const ssize_t n = ::read(fds[i], buffer.data(), buffer.size());
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
      fds[i] = -1;  // ended (the descriptor stays open until destruction)
      output.finish(i, events);
    } else if (n > 0) {
      output.feed(i, {buffer.data(), static_cast<std::size_t>(n)}, SteadyClock::now(), events);
    }
    if (!events.empty()) log_output(std::exchange(events, {}));
    {
      std::lock_guard lock(output_m_);
      --output_in_flight_;
    }
    output_cv_.notify_all();
  };
  int status = 0;
  bool reaped = false;
  while (!reaped) {
    std::vector<pollfd> p;
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) p.push_back({fds[i], POLLIN, 0});
    if (pidfd_ >= 0) p.push_back({pidfd_, POLLIN, 0});
    int wait_ms = pidfd_ >= 0 ? -1 : 50;
    if (const auto due = output.notice_due()) {
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*due - SteadyClock::now());
      wait_ms = static_cast<int>(std::clamp<std::int64_t>(ms.count(), 0, 1000));
    }
    int n = ::poll(p.data(), p.size(), wait_ms);
    if (n < 0 && errno != EINTR) break;
    for (const auto& q : p) {
      if (q.fd == pidfd_ || !(q.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      drain(q.fd == fds[0] ? 0 : 1);
    }
    if (n == 0) {
      output.quiet(SteadyClock::now(), events);
      if (!events.empty()) log_output(std::exchange(events, {}));
    }
    if (::waitpid(pid_, &status, WNOHANG) == pid_) reaped = true;
  }
  // The process is gone: take what is left in the pipes without waiting for its children.
  for (int i = 0; i < 2; ++i) {
    if (fds[i] < 0) continue;
    ::fcntl(fds[i], F_SETFL, O_NONBLOCK);
    for (int k = 0; k < 64 && fds[i] >= 0; ++k) {
      pollfd q{fds[i], POLLIN, 0};
      if (::poll(&q, 1, 0) <= 0) break;
      drain(i);
    }
    if (fds[i] >= 0) {
      fds[i] = -1;
      output.finish(i, events);
    }
  }
  if (!events.empty()) log_output(std::exchange(events, {}));
  // How the bootstrap ended, as lambdeploy-init saw it (nothing when init itself was killed).
  int reported = 0;
  if (reaped && status_fd_ >= 0 &&
      ::read(status_fd_, &reported, sizeof reported) == sizeof reported)
    status = reported;
  exited(status);
}

void Instance::log_output(std::vector<std::string> events) {
  std::shared_ptr<Invocation> current;
  {
    std::lock_guard lock(m_);
    current = current_;
    if (!current && !assigned_once_)
      for (const auto& e : events)
        if (init_log_.size() < 8192) init_log_ += e;
  }
  if (current) {
    // The tail keeps 64 KB at most: no more than that is handed to it.
    std::size_t first = events.size(), bytes = 0;
    while (first > 0 && bytes < 64 * 1024) bytes += events[--first].size();
    std::string text;
    text.reserve(bytes);
    for (std::size_t i = first; i < events.size(); ++i) text += events[i];
    current->add_log(text);
  }
  if (!spec_.logs) return;
  const std::int64_t now = epoch_ms();
  std::vector<LogEvent> batch;
  batch.reserve(events.size());
  for (auto& e : events) batch.push_back({now, std::move(e)});
  spec_.logs->append(spec_.image.log_group, stream_, std::move(batch));
}

void Instance::exited(int status) {
  std::shared_ptr<Invocation> inv;
  bool oom;
  std::string init_doc;
  {
    std::lock_guard lock(m_);
    // What the bootstrap left behind in its group (in a PID namespace nothing is left: the
    // kernel killed it all when its first process ended).
    if (!pid_namespace_) ::kill(-pid_, SIGKILL);
    alive_ = false;
    inv = current_;
    oom = out_of_memory_;
    init_doc = init_error_;
  }
  if (!inv) return;
  std::string why =
      "RequestId: " + inv->id + " Error: Runtime exited with error: " + exit_description(status);
  std::string type = oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
  bool delivered;
  {
    std::lock_guard lock(inv->m);
    if (inv->done) return;
    delivered = inv->delivered;
  }
  log(why + "\n" + type + "\n", inv.get());
  if (!delivered && !init_doc.empty())
    inv->complete(init_doc, "Unhandled", error_type_of(init_doc));
  else
    inv->complete(lambda_error_document(type, why), "Unhandled", type);
}

}  // namespace ld::local
