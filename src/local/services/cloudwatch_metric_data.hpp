#pragma once
// GetMetricData on the local CloudWatch: MetricStat queries over the stored metric data and
// metric math over them, paged by MaxDatapoints.
#include <nlohmann/json.hpp>

#include "local/database.hpp"

namespace ld::local::cloudwatch {

// GetMetricData's output for `input` (MetricDataQueries, StartTime, EndTime, ScanBy, …).
nlohmann::json get_metric_data(Database& db, const nlohmann::json& input);

}  // namespace ld::local::cloudwatch
