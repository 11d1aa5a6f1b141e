// Emscripten gives a program a made-up environment (USER=web_user, ...), not
// node's: copy node's in so that tests see BODYPIX_SHARED and the like.
Module['preRun'] = [].concat(Module['preRun'] || [], function () {
  if (typeof ENV === 'object' && typeof process === 'object' && process.env) {
    for (var key in process.env) ENV[key] = process.env[key];
  }
});
