#include "local/provisioned_instances.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace ld::local {

namespace {

using std::chrono::steady_clock;

// How often the thread looks for dead instances to replace (changes wake it at once).
constexpr std::chrono::milliseconds kCheckInterval{100};
// How long an image whose instance failed before its first invocation waits to be started again.
constexpr std::chrono::seconds kRetryAfterFailure{1};

std::string image_key(const FunctionImage& image) {
  return image.function_name + '\n' + image.version + '\n' + image.code_sha256 + '\n' +
         image.config_revision;
}

bool usable(const Instance& instance) {
  return instance.alive() && instance.start_error().empty();
}

}  // namespace

ProvisionedInstances::ProvisionedInstances(StartFn start) : start_(std::move(start)) {
  keeper_ = std::thread([this] { keep(); });
}

ProvisionedInstances::~ProvisionedInstances() {
  {
    std::lock_guard lock(m_);
    stopping_ = true;
  }
  cv_.notify_all();
  keeper_.join();
  std::vector<Kept> all;
  {
    std::lock_guard lock(m_);
    all.swap(kept_);
  }
  all.clear();  // kills every instance
}

void ProvisionedInstances::set(const std::string& function_name,
                               std::vector<ProvisionedImage> images) {
  std::vector<Kept> dropped;  // stopped outside the lock
  {
    std::lock_guard lock(m_);
    std::erase_if(images, [](const ProvisionedImage& p) { return p.count <= 0; });
    if (images.empty()) {
      wanted_.erase(function_name);
    } else {
      wanted_[function_name] = std::move(images);
    }
    // A new config tries at once, even an image that failed a moment ago.
    std::erase_if(retry_at_,
                  [&](const auto& entry) { return entry.first.starts_with(function_name + '\n'); });
    dropped = take_unwanted();
    changed_ = true;
  }
  cv_.notify_all();
}

void ProvisionedInstances::retire(const std::string& function_name) {
  std::vector<Kept> dropped;
  {
    std::lock_guard lock(m_);
    for (auto& kept : kept_) {
      if (kept.instance->image().function_name != function_name) continue;
      // A busy one dies under its invocation, which gives it back.
      kept.instance->kill();
      if (!kept.busy) dropped.push_back(std::move(kept));
    }
    std::erase_if(kept_, [](const Kept& k) { return !k.instance; });
    changed_ = true;
  }
  cv_.notify_all();
}

std::shared_ptr<Instance> ProvisionedInstances::lend(const FunctionImage& image) {
  std::lock_guard lock(m_);
  Kept* chosen = nullptr;
  for (auto& kept : kept_) {
    if (kept.busy || !same_image(kept.instance->image(), image) || !usable(*kept.instance))
      continue;
    if (!chosen || (kept.instance->initialised() && !chosen->instance->initialised()))
      chosen = &kept;
  }
  if (!chosen) return nullptr;
  chosen->busy = true;
  return chosen->instance;
}

bool ProvisionedInstances::give_back(const std::shared_ptr<Instance>& instance) {
  std::vector<Kept> dropped;
  {
    std::lock_guard lock(m_);
    auto it = std::find_if(kept_.begin(), kept_.end(),
                           [&](const Kept& k) { return k.instance == instance; });
    if (it == kept_.end()) return false;
    it->busy = false;
    dropped = take_unwanted();
    if (dropped.empty()) return true;
    changed_ = true;  // one to start again, when still wanted
  }
  cv_.notify_all();
  return true;
}

ProvisionedInstances::Counts ProvisionedInstances::counts(const std::string& function_name) const {
  Counts counts;
  std::lock_guard lock(m_);
  for (const auto& kept : kept_) {
    if (!function_name.empty() && kept.instance->image().function_name != function_name) continue;
    ++counts.instances;
    if (kept.busy) ++counts.busy;
  }
  return counts;
}

std::vector<std::shared_ptr<Instance>> ProvisionedInstances::busy_instances() const {
  std::vector<std::shared_ptr<Instance>> busy;
  std::lock_guard lock(m_);
  for (const auto& kept : kept_)
    if (kept.busy) busy.push_back(kept.instance);
  return busy;
}

int ProvisionedInstances::wanted(const FunctionImage& image) const {
  auto it = wanted_.find(image.function_name);
  if (it == wanted_.end()) return 0;
  for (const auto& provisioned : it->second)
    if (same_image(provisioned.image, image)) return provisioned.count;
  return 0;
}

std::vector<ProvisionedInstances::Kept> ProvisionedInstances::take_unwanted() {
  std::vector<Kept> dropped;
  std::map<std::string, int> counted;  // by image: busy ones first, then the free ones kept
  for (const auto& kept : kept_)
    if (kept.busy) ++counted[image_key(kept.instance->image())];
  for (auto& kept : kept_) {
    if (kept.busy) continue;
    const FunctionImage& image = kept.instance->image();
    const std::string key = image_key(image);
    if (!usable(*kept.instance)) {
      if (!kept.instance->initialised()) retry_at_[key] = steady_clock::now() + kRetryAfterFailure;
      dropped.push_back(std::move(kept));
    } else if (counted[key] >= wanted(image)) {
      dropped.push_back(std::move(kept));
    } else {
      ++counted[key];
    }
  }
  std::erase_if(kept_, [](const Kept& k) { return !k.instance; });
  return dropped;
}

void ProvisionedInstances::keep() {
  std::unique_lock lock(m_);
  while (!stopping_) {
    cv_.wait_for(lock, kCheckInterval, [this] { return stopping_ || changed_; });
    if (stopping_) break;
    changed_ = false;
    std::vector<Kept> dropped = take_unwanted();
    std::vector<FunctionImage> missing;
    const auto now = steady_clock::now();
    for (const auto& [name, images] : wanted_) {
      for (const auto& provisioned : images) {
        const std::string key = image_key(provisioned.image);
        if (auto retry = retry_at_.find(key); retry != retry_at_.end()) {
          if (retry->second > now) continue;
          retry_at_.erase(retry);
        }
        const auto have = std::count_if(kept_.begin(), kept_.end(), [&](const Kept& k) {
          return same_image(k.instance->image(), provisioned.image);
        });
        for (auto i = have; i < provisioned.count; ++i) missing.push_back(provisioned.image);
      }
    }
    lock.unlock();
    dropped.clear();
    std::vector<std::shared_ptr<Instance>> started;
    for (const FunctionImage& image : missing) {
      try {
        started.push_back(start_(image));
      } catch (const std::exception&) {
        // The code cannot be unzipped: an invocation reports it; try again later.
        std::lock_guard retry_lock(m_);
        retry_at_[image_key(image)] = steady_clock::now() + kRetryAfterFailure;
      }
    }
    lock.lock();
    // Ones no longer wanted by now go at the next round.
    for (auto& instance : started) kept_.push_back(Kept{std::move(instance), false});
  }
}

}  // namespace ld::local
