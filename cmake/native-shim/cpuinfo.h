/* Native builds only. Debian 12's libcpuinfo (2022) predates some of the
 * queries XNNPACK (Nov 2024) makes. The features it cannot report count as
 * absent, so XNNPACK picks kernels of the ISA levels this cpuinfo does detect
 * (up to AVX-512): slower on the newest CPUs at worst, never wrong. The
 * microarchitectures it does not know get values no core reports. */
#pragma once

#include_next <cpuinfo.h>

static inline bool cpuinfo_has_x86_avxvnni(void) { return false; }
static inline bool cpuinfo_has_x86_avx_vnni_int8(void) { return false; }
static inline bool cpuinfo_has_x86_avx512fp16(void) { return false; }
static inline bool cpuinfo_has_x86_amx_int8(void) { return false; }
static inline bool cpuinfo_has_x86_avx10(void) { return false; }
static inline bool cpuinfo_has_arm_i8mm(void) { return false; }
static inline bool cpuinfo_has_arm_neon_bf16(void) { return false; }
static inline bool cpuinfo_has_arm_sme(void) { return false; }
static inline bool cpuinfo_has_arm_sme2(void) { return false; }

#define cpuinfo_uarch_cortex_a510 ((enum cpuinfo_uarch)0x7fff0001)
#define cpuinfo_uarch_cortex_a710 ((enum cpuinfo_uarch)0x7fff0002)
#define cpuinfo_uarch_cortex_a715 ((enum cpuinfo_uarch)0x7fff0003)
#define cpuinfo_uarch_cortex_x2 ((enum cpuinfo_uarch)0x7fff0004)
#define cpuinfo_uarch_cortex_x3 ((enum cpuinfo_uarch)0x7fff0005)
#define cpuinfo_uarch_neoverse_v2 ((enum cpuinfo_uarch)0x7fff0006)
#define cpuinfo_uarch_zen4 ((enum cpuinfo_uarch)0x7fff0007)
