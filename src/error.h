// The engine's one exception type for bad input.
#pragma once

#include <stdexcept>

namespace bodypix {

// Every problem with user-supplied data (model files, images, configs, and
// the arguments of the image functions) is reported as this, so the bindings
// can turn it into a JS Error with the same message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bodypix
