#include "local/instance.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

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
  return true;
}

void Invocation::add_log(const std::string& message) {
  std::lock_guard lock(m);
  log += message;
  if (log.size() > 64 * 1024) log.erase(0, log.size() - 8 * 1024);
}

Instance::Instance(InstanceSpec spec)
    : spec_(std::move(spec)), stream_(stream_name(spec_.image.version)), server_(*this) {}

Instance::~Instance() {
  kill();
  if (watcher_.joinable()) watcher_.join();
  server_.stop();
  if (statm_fd_ >= 0) ::close(statm_fd_);
  std::error_code ec;
  fs::remove_all(spec_.instance_dir, ec);
}

bool Instance::start() {
  const FunctionImage& img = spec_.image;
  fs::path bootstrap = spec_.task_root / "bootstrap";
  std::string exec_path = spec_.mount_namespace ? "/var/task/bootstrap" : bootstrap.string();
  if (!fs::exists(bootstrap)) {
    bootstrap = spec_.opt_root / "bootstrap";
    exec_path = spec_.mount_namespace ? "/opt/bootstrap" : bootstrap.string();
  }
  if (!fs::exists(bootstrap)) {
    start_error_ = lambda_error_document(
        "Runtime.InvalidEntrypoint",
        "Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
    return false;
  }
  fs::path tmp = spec_.instance_dir / "tmp";
  fs::create_directories(tmp);
  server_.start();

  const bool ns = spec_.mount_namespace;
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

  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = exec_path;
  char* argv[] = {arg0.data(), nullptr};
  std::string workdir = task;
  MountPlan plan(spec_.task_root, spec_.opt_root, tmp);

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw Error(std::string("pipe: ") + std::strerror(errno));
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const char* ns_failed = "lambdeploy: cannot enter the mount namespace\n";
  const char* exec_failed = "lambdeploy: cannot execute bootstrap\n";

  pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    if (ns && !plan.enter()) {
      [[maybe_unused]] auto n = ::write(2, ns_failed, std::strlen(ns_failed));
      ::_exit(127);
    }
    if (::chdir(workdir.c_str()) != 0) ::_exit(127);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execve(arg0.c_str(), argv, envp.data());
    [[maybe_unused]] auto n = ::write(2, exec_failed, std::strlen(exec_failed));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // both sides, so kill(-pid) works whichever runs first
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (devnull >= 0) ::close(devnull);
  {
    std::lock_guard lock(m_);
    pid_ = pid;
    alive_ = true;
    spawned_at_ = SteadyClock::now();
  }
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
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
  if (alive_ && pid_ > 0) ::kill(-pid_, SIGKILL);
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
  int kb = process_rss_kb(pid, statm_fd_);
  lock.unlock();
  if (whole_group) kb = std::max(kb, process_group_rss_kb(pid));
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

RuntimeReply Instance::response(const std::string& request_id, std::string body) {
  auto inv = current_delivered(request_id);
  if (!inv) return invalid_request_id();
  constexpr std::size_t kMaxPayload = 6 * 1024 * 1024 + 100;
  if (body.size() > kMaxPayload) {
    inv->complete(lambda_error_document("Function.ResponseSizeTooLarge",
                                        "Response payload size exceeded maximum allowed payload "
                                        "size (6291556 bytes)."),
                  "Unhandled");
    RuntimeReply r;
    r.status = 413;
    r.body =
        R"({"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"})";
    return r;
  }
  inv->complete(std::move(body), std::nullopt);
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
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  std::string partial[2];
  int fds[2] = {out_fd_, err_fd_};
  auto drain = [&](int i, bool final) {
    char buf[8192];
    ssize_t n = ::read(fds[i], buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
      ::close(fds[i]);
      fds[i] = -1;
      final = true;
    } else {
      partial[i].append(buf, static_cast<std::size_t>(n));
    }
    std::size_t start = 0, nl;
    while ((nl = partial[i].find('\n', start)) != std::string::npos) {
      log(partial[i].substr(start, nl - start + 1));
      start = nl + 1;
    }
    partial[i].erase(0, start);
    if (final && !partial[i].empty()) {
      log(partial[i] + "\n");
      partial[i].clear();
    }
  };
  int status = 0;
  bool reaped = false;
  while (!reaped) {
    std::vector<pollfd> p;
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) p.push_back({fds[i], POLLIN, 0});
    if (pidfd >= 0) p.push_back({pidfd, POLLIN, 0});
    int n = ::poll(p.data(), p.size(), pidfd >= 0 ? -1 : 50);
    if (n < 0 && errno != EINTR) break;
    for (const auto& q : p) {
      if (q.fd == pidfd || !(q.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      drain(q.fd == fds[0] ? 0 : 1, false);
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
      drain(i, false);
    }
    if (!partial[i].empty()) log(partial[i] + "\n");
    if (fds[i] >= 0) ::close(fds[i]);
  }
  if (pidfd >= 0) ::close(pidfd);
  exited(status);
}

void Instance::exited(int status) {
  std::shared_ptr<Invocation> inv;
  bool oom;
  std::string init_doc;
  {
    std::lock_guard lock(m_);
    ::kill(-pid_, SIGKILL);  // what the bootstrap left behind in its group
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
