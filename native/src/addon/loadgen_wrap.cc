// JS wrapper of the native load generator: start(config) resolves with the final summary when
// the run ends (by duration, message count or stop()); snapshot() gives live progress.
#include <memory>

#include "../core/error_catalog.h"
#include "../loadgen/loadgen.h"
#include "wraps.h"

namespace iocpm {
namespace {

Napi::Object to_js(Napi::Env env, const LoadSnapshot& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("running", s.running);
  o.Set("elapsedMs", static_cast<double>(s.elapsedNs) / 1e6);
  o.Set("connectsOk", static_cast<double>(s.connectsOk));
  o.Set("connectsFailed", static_cast<double>(s.connectsFailed));
  o.Set("activeConnections", static_cast<double>(s.activeConnections));
  o.Set("msgsSent", static_cast<double>(s.msgsSent));
  o.Set("msgsEchoed", static_cast<double>(s.msgsEchoed));
  o.Set("bytesSent", static_cast<double>(s.bytesSent));
  o.Set("bytesReceived", static_cast<double>(s.bytesReceived));
  o.Set("mismatchedBytes", static_cast<double>(s.mismatchedBytes));
  o.Set("threads", s.threads);
  o.Set("threadsNote", s.threadsNote);
  o.Set("io", s.io);
  o.Set("ioNote", s.ioNote);
  Napi::Object faults = Napi::Object::New(env);
  for (int f = 1; f < int(Fault::kCount); ++f) faults.Set(fault_name(Fault(f)), static_cast<double>(s.faultsInjected[f]));
  o.Set("faultsInjected", faults);
  Napi::Array errs = Napi::Array::New(env, s.errors.size());
  uint32_t i = 0;
  for (const auto& kv : s.errors) errs.Set(i++, error_count_object(env, kv.first, kv.second));
  o.Set("errors", errs);
  Napi::Object lat = Napi::Object::New(env);
  lat.Set("count", static_cast<double>(s.latencyCount));
  lat.Set("p50Us", static_cast<double>(s.p50) / 1e3);
  lat.Set("p90Us", static_cast<double>(s.p90) / 1e3);
  lat.Set("p99Us", static_cast<double>(s.p99) / 1e3);
  lat.Set("p999Us", static_cast<double>(s.p999) / 1e3);
  lat.Set("maxUs", static_cast<double>(s.max) / 1e3);
  o.Set("latency", lat);
  return o;
}

LoadConfig read_load_config(const Napi::Object& o) {
  Napi::Env env = o.Env();
  LoadConfig c;
  auto has = [&](const char* k) { return o.Has(k) && !o.Get(k).IsUndefined(); };
  auto num = [&](const char* k) -> double {
    Napi::Value v = o.Get(k);
    if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(k) + " must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d > -1e15 && d < 1e15)) throw Napi::TypeError::New(env, std::string(k) + " must be a finite number");
    return d;
  };
  auto integer = [&](const char* k) -> int64_t {
    double d = num(k);
    if (d != static_cast<double>(static_cast<int64_t>(d))) throw Napi::TypeError::New(env, std::string(k) + " must be an integer");
    return static_cast<int64_t>(d);
  };
  auto clampInt = [](int64_t v) { return static_cast<int>(v < -1 ? -1 : (v > 1 << 30 ? 1 << 30 : v)); };
  if (has("host")) {
    if (!o.Get("host").IsString()) throw Napi::TypeError::New(env, "host must be a string");
    c.host = o.Get("host").As<Napi::String>().Utf8Value();
  }
  if (has("port")) c.port = clampInt(integer("port"));
  if (has("connections")) c.connections = clampInt(integer("connections"));
  if (has("messageSize")) c.messageSize = clampInt(integer("messageSize"));
  if (has("rate")) c.rate = num("rate");
  if (has("pipeline")) c.pipeline = clampInt(integer("pipeline"));
  if (has("durationMs")) c.durationMs = integer("durationMs");
  if (has("messages")) c.messages = integer("messages");
  if (has("rampUpMs")) c.rampUpMs = integer("rampUpMs");
  if (has("threads")) c.threads = clampInt(integer("threads"));
  if (has("expectEcho")) {
    if (!o.Get("expectEcho").IsBoolean()) throw Napi::TypeError::New(env, "expectEcho must be true or false");
    c.expectEcho = o.Get("expectEcho").As<Napi::Boolean>().Value();
  }
  if (has("io")) {
    Napi::Value v = o.Get("io");
    if (!v.IsString() || !parse_gen_io(v.As<Napi::String>().Utf8Value(), &c.io)) throw Napi::TypeError::New(env, "io must be auto, iouring, epoll or iocp");
  }
  if (has("faults")) {
    if (!o.Get("faults").IsObject()) throw Napi::TypeError::New(env, "faults must be an object like {reset: 5}");
    Napi::Object f = o.Get("faults").As<Napi::Object>();
    Napi::Array keys = f.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
      Fault kind;
      if (!parse_fault(k, &kind)) throw Napi::TypeError::New(env, "unknown fault '" + k + "' (reset, halfclose, slow, trickle, garbage, vanish, storm)");
      Napi::Value v = f.Get(k);
      if (!v.IsNumber()) throw Napi::TypeError::New(env, "fault " + k + " must be a percentage");
      double d = v.As<Napi::Number>().DoubleValue();
      if (!(d >= 0 && d <= 100) || d != static_cast<double>(static_cast<int>(d))) throw Napi::TypeError::New(env, "fault " + k + " must be an integer percentage from 0 to 100");
      c.faultPercent[int(kind)] = static_cast<int>(d);
    }
  }
  return c;
}

Napi::Error to_js_error(Napi::Env env, const LoadError& e) {
  Napi::Error err = Napi::Error::New(env, e.message);
  err.Value().Set("code", e.code);
  if (!e.field.empty()) err.Value().Set("field", e.field);
  if (e.nativeCode) {
    err.Value().Set("nativeCode", e.nativeCode);
    if (e.code != "name-not-resolved") err.Value().Set("nativeName", translate_native_error(e.nativeCode).native);
  }
  return err;
}

class LoadWrap : public Napi::ObjectWrap<LoadWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LoadGenerator",
                       {InstanceMethod("start", &LoadWrap::Start), InstanceMethod("stop", &LoadWrap::Stop),
                        InstanceMethod("snapshot", &LoadWrap::Snapshot),
                        InstanceAccessor("running", &LoadWrap::Running, nullptr)});
  }
  explicit LoadWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LoadWrap>(info), lg_(std::make_shared<LoadGenerator>()) {}

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    LoadConfig cfg;
    Napi::Promise rejected;
    if (!read_start_config(info, read_load_config, &cfg, &rejected)) return rejected;
    // The whole run happens off the JS thread; the promise settles with its summary.
    struct Outcome {
      LoadError error;
      LoadSnapshot summary;
    };
    auto out = std::make_shared<Outcome>();
    return run_async(
        env,
        [lg = lg_, cfg, out] {
          out->error = lg->start(cfg);
          if (out->error) return;
          lg->wait();
          out->summary = lg->snapshot();
        },
        [out](Napi::Env e, Napi::Promise::Deferred& d) {
          if (out->error) d.Reject(to_js_error(e, out->error).Value());
          else d.Resolve(to_js(e, out->summary));
        });
  }
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    lg_->stop();
    return info.Env().Undefined();
  }
  Napi::Value Snapshot(const Napi::CallbackInfo& info) { return to_js(info.Env(), lg_->snapshot()); }
  Napi::Value Running(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), lg_->running()); }

  std::shared_ptr<LoadGenerator> lg_;
};

}  // namespace

Napi::Function define_load_generator(Napi::Env env) { return LoadWrap::Define(env); }

}  // namespace iocpm
