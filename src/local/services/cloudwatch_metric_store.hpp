#pragma once
// The local CloudWatch's metric data as its cw_data table keeps it: writing data points, reading
// one metric's back, and adding them up by period as GetMetricStatistics and GetMetricData do.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "local/database.hpp"

namespace ld::local::cloudwatch {

// Aggregated values of one or more data points.
struct Stats {
  double sum = 0;
  double count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::string unit;

  void add(const Stats& other);
  // Sum, SampleCount, Minimum, Maximum or (any other name) Average.
  double statistic(const std::string& name) const;
};

// One data point of one metric, as stored.
struct StoredDatum {
  std::string metric_namespace;
  std::string name;
  std::string dimensions;  // dimension_key()
  std::int64_t timestamp_ms = 0;
  Stats stats;
};

// Stores `data` in one transaction.
void insert_data(Database& db, const std::vector<StoredDatum>& data);

// The data of one metric in [start, end), optionally of one unit, oldest first.
std::vector<std::pair<std::int64_t, Stats>> read_data(Database& db, const std::string& ns,
                                                      const std::string& name,
                                                      const std::string& dimensions,
                                                      std::int64_t start, std::int64_t end,
                                                      const std::optional<std::string>& unit);

// Where the first period bucket starts: `start` rounded down to the minute (the second for
// periods under a minute).
std::int64_t first_bucket_ms(std::int64_t start, std::int64_t period_seconds);

// The metric's data in [start, end) added up by period bucket (bucket start → Stats), the buckets
// counted from first_bucket_ms(); only buckets with data are there.
std::map<std::int64_t, Stats> period_stats(Database& db, const std::string& ns,
                                           const std::string& name, const std::string& dimensions,
                                           std::int64_t start, std::int64_t end,
                                           std::int64_t period_seconds,
                                           const std::optional<std::string>& unit);

}  // namespace ld::local::cloudwatch
