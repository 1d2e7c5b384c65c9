#pragma once
// The local CloudWatch's alarm history (its cw_alarm_history table): the ConfigurationUpdate and
// StateUpdate items alarm changes record, and DescribeAlarmHistory over them.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "local/database.hpp"

namespace ld::local::cloudwatch {

// Appends one AlarmHistoryItem (ConfigurationUpdate, StateUpdate or Action) inside `tx`.
void record_history(Transaction& tx, const std::string& name, std::int64_t now,
                    const std::string& type, const std::string& summary,
                    const nlohmann::json& data);

// Records a StateUpdate when the alarm `after` is in another state than `before`.
void record_state_change(Transaction& tx, const nlohmann::json& before, const nlohmann::json& after,
                         std::int64_t now);

// DescribeAlarmHistory over the recorded items (metric alarms only).
nlohmann::json describe_alarm_history(Database& db, const nlohmann::json& input);

}  // namespace ld::local::cloudwatch
