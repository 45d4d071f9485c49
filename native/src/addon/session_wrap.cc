// The session table between JS and the engine: the query object read with clear TypeErrors
// (the service validates first; this guards direct addon users) and the table as plain objects.
#include <string>
#include <utility>

#include "../core/session_table.h"
#include "wraps.h"

namespace iocpm {

SessionQuery read_session_query(const Napi::Object& o) {
  Napi::Env env = o.Env();
  SessionQuery q;
  auto has = [&](const char* k) { return o.Has(k) && !o.Get(k).IsUndefined(); };
  if (has("key")) {
    Napi::Value v = o.Get("key");
    if (!v.IsString() || !parse_session_sort_key(v.As<Napi::String>().Utf8Value(), &q.key)) {
      throw Napi::TypeError::New(env, "key must be one of bytesPerS, sendQueue, age, errors");
    }
  }
  auto integer = [&](const char* k, int lo, int hi, int* out) {
    if (!has(k)) return;
    Napi::Value v = o.Get(k);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1e18;
    if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<int>(d))) {
      throw Napi::TypeError::New(env, std::string(k) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    *out = static_cast<int>(d);
  };
  integer("limit", 1, kMaxSessionRows, &q.limit);
  integer("worker", -1, 1024, &q.worker);
  if (has("addressPrefix")) {
    Napi::Value v = o.Get("addressPrefix");
    if (!v.IsString()) throw Napi::TypeError::New(env, "addressPrefix must be a string");
    q.addressPrefix = v.As<Napi::String>().Utf8Value();
  }
  return q;
}

Napi::Object session_table_js(Napi::Env env, const SessionTable& t) {
  Napi::Object out = Napi::Object::New(env);
  const std::pair<const char*, uint64_t> totals[] = {
      {"monoNs", t.monoNs}, {"sendQueueLimit", t.sendQueueLimit}, {"live", t.live},           {"matched", t.matched},
      {"bytesIn", t.bytesIn}, {"bytesOut", t.bytesOut},             {"sendQueue", t.sendQueue},
  };
  for (const auto& kv : totals) out.Set(kv.first, static_cast<double>(kv.second));
  Napi::Array rows = Napi::Array::New(env, t.rows.size());
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const SessionRow& r = t.rows[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", static_cast<double>(r.id));
    o.Set("worker", r.worker);
    o.Set("local", r.local);
    o.Set("remote", r.remote);
    const std::pair<const char*, double> numbers[] = {
        {"ageMs", static_cast<double>(r.ageNs) / 1e6},   {"bytesIn", static_cast<double>(r.bytesIn)},
        {"bytesOut", static_cast<double>(r.bytesOut)},   {"completions", static_cast<double>(r.completions)},
        {"errors", static_cast<double>(r.errors)},       {"sendQueue", static_cast<double>(r.sendQueue)},
        {"peakSendQueue", static_cast<double>(r.peakSendQueue)}, {"bytesInPerS", r.bytesInPerS},
        {"bytesOutPerS", r.bytesOutPerS},
    };
    for (const auto& kv : numbers) o.Set(kv.first, kv.second);
    o.Set("state", session_state_name(r.state));
    o.Set("lastError", r.lastError != 0 ? Napi::Value(native_error_object(env, r.lastError)) : env.Null());
    rows.Set(uint32_t(i), o);
  }
  out.Set("rows", rows);
  return out;
}

}  // namespace iocpm
