#pragma once
// Metric math for the local CloudWatch's GetMetricData: + - * / over other queries' ids and
// constants, with parentheses and unary minus, evaluated point by point.
#include <cstdint>
#include <map>
#include <string>

namespace ld::local::cloudwatch {

// One query's answer in GetMetricData: values by bucket start (epoch ms), oldest first.
using Series = std::map<std::int64_t, double>;

// The time series `expression` (query `id`'s) makes of the series in `known`, by id. Two series
// meet on the timestamps both have, non-finite results are dropped. Throws a ValidationError
// ("Error in expression '<id>': …") on a syntax error, a function, an expression that is a
// constant, or an id not in `known` (the message then holds "Unrecognized identifier").
Series evaluate_metric_math(const std::string& id, const std::string& expression,
                            const std::map<std::string, Series>& known);

}  // namespace ld::local::cloudwatch
