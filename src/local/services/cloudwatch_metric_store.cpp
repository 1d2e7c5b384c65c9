#include "local/services/cloudwatch_metric_store.hpp"

#include <algorithm>

namespace ld::local::cloudwatch {

void Stats::add(const Stats& other) {
  sum += other.sum;
  count += other.count;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  if (unit.empty()) unit = other.unit;
}

double Stats::statistic(const std::string& name) const {
  if (name == "Sum") return sum;
  if (name == "SampleCount") return count;
  if (name == "Minimum") return min;
  if (name == "Maximum") return max;
  return count > 0 ? sum / count : 0;  // Average
}

void insert_data(Database& db, const std::vector<StoredDatum>& data) {
  Transaction tx(db);
  auto s = tx.prepare(
      "INSERT INTO cw_data (namespace, name, dimensions, timestamp, unit, sum, count, min, max) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& d : data) {
    s.reset();
    s.bind(1, d.metric_namespace).bind(2, d.name).bind(3, d.dimensions).bind(4, d.timestamp_ms);
    s.bind(5, d.stats.unit).bind(6, d.stats.sum).bind(7, d.stats.count);
    s.bind(8, d.stats.min).bind(9, d.stats.max);
    s.run();
  }
  tx.commit();
}

// The data of one metric in [start, end), optionally of one unit.
std::vector<std::pair<std::int64_t, Stats>> read_data(Database& db, const std::string& ns,
                                                      const std::string& name,
                                                      const std::string& dimensions,
                                                      std::int64_t start, std::int64_t end,
                                                      const std::optional<std::string>& unit) {
  auto c = db.connect();
  auto s = c.prepare(
      "SELECT timestamp, unit, sum, count, min, max FROM cw_data WHERE namespace = ? AND name = "
      "? AND dimensions = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp");
  s.bind(1, ns).bind(2, name).bind(3, dimensions).bind(4, start).bind(5, end);
  std::vector<std::pair<std::int64_t, Stats>> rows;
  while (s.step()) {
    Stats stats{s.column_double(2), s.column_double(3), s.column_double(4), s.column_double(5),
                s.column_text(1)};
    if (unit && stats.unit != *unit) continue;
    rows.emplace_back(s.column_int64(0), std::move(stats));
  }
  return rows;
}

std::int64_t first_bucket_ms(std::int64_t start, std::int64_t period_seconds) {
  const std::int64_t granularity = period_seconds >= 60 ? 60'000 : 1000;
  return start - (start % granularity);
}

std::map<std::int64_t, Stats> period_stats(Database& db, const std::string& ns,
                                           const std::string& name, const std::string& dimensions,
                                           std::int64_t start, std::int64_t end,
                                           std::int64_t period_seconds,
                                           const std::optional<std::string>& unit) {
  const std::int64_t period_ms = period_seconds * 1000;
  const std::int64_t first = first_bucket_ms(start, period_seconds);
  std::map<std::int64_t, Stats> by_bucket;
  for (auto& [timestamp, stats] : read_data(db, ns, name, dimensions, first, end, unit))
    by_bucket[first + (timestamp - first) / period_ms * period_ms].add(stats);
  return by_bucket;
}

}  // namespace ld::local::cloudwatch
