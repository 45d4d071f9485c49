// The session table's addresses on Windows (see core/session_directory.h). getpeername works on
// an AcceptEx socket once SO_UPDATE_ACCEPT_CONTEXT was set, which the backend does on accept.
#include "winsock.h"

#include "../../core/session_directory.h"
#include "../endpoint_text.h"

namespace iocpm {

bool socket_names(uint64_t handle, std::string* local, std::string* remote) {
  return endpoint_names<int>(static_cast<SOCKET>(handle), local, remote);
}

}  // namespace iocpm
