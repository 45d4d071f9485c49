// processResources(): threads and handles (descriptors on Linux) of this process, for the tests
// that prove stop() leaves nothing behind, on every platform including Windows Node under Wine.
#include "../core/process_resources.h"
#include "wraps.h"

namespace iocpm {

Napi::Value process_resources_js(const Napi::CallbackInfo& info) {
  ProcessResources r = process_resources();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("threads", r.threads);
  o.Set("handles", r.handles);
  return o;
}

}  // namespace iocpm
