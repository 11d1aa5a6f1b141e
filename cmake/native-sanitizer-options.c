/* Built into the native sanitizer executables (tests, fuzzer), so that they
 * behave the same from ctest, test-native.sh or a shell: any report fails the
 * run, with a stack trace. ASAN_OPTIONS / UBSAN_OPTIONS still override. */
const char* __asan_default_options(void) {
  return "detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1";
}

const char* __ubsan_default_options(void) { return "print_stacktrace=1:halt_on_error=1"; }
