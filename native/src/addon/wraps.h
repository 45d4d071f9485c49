// JS classes exported by the addon, one file each.
#pragma once
#include <napi.h>

namespace iocpm {

Napi::Function define_load_generator(Napi::Env env);

}  // namespace iocpm
