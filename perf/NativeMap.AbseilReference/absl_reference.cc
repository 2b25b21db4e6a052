// NativeMap.AbseilReference: abseil's absl::flat_hash_map<uint64_t, uint64_t> (and std::unordered_map as a second
// reference) on the workloads of perf/NativeMap.SideBySide, so that the C# figures have a C++ speed reference measured
// on the same machine.
//
// It mirrors SideBySideProgram.cs / KeySet.cs / Operations.cs / Report.cs exactly where it matters:
//   - keys: key i is SplitMix64's output for counter i (present keys: counters 0..N-1, absent keys: N..2N-1); the
//     shuffled order is Fisher-Yates from i = N-1 down to 1 with j = (SplitMix64::Next(state) * (i + 1)) >> 64 (the
//     high word of a 128-bit product), state starting at 0x5EED000000000001;
//   - one run: insert every key into an empty map (no capacity hint; value = insertion index; every batch of 4,096
//     inserts timed on its own), TryGetValue (find) of every key in insertion order, then shuffled, then of every
//     absent key, then remove every key in shuffled order;
//   - best of R runs (default 2), figure by figure, the maps alternating; three warm-up runs on 20,000 keys first;
//   - the same checksum (FNV-style combine of count, the three lookup sums, the removed count and the final count),
//     so the maps here must agree with each other, and with the C# program's maps on the same N.
// Two columns the C# program does not have are added on the right: insert into a map presized with reserve(N) (its
// own map, timed after the run), and peak RSS growth during the run (VmHWM after the run minus VmRSS before it, with
// the high-water mark reset through /proc/self/clear_refs; "n/a" where the kernel does not allow that).
//
// Build and run: see README.md beside this file (build.sh compiles with g++ -O2 -march=native against libabsl-dev).

#include <absl/base/config.h>
#include <absl/container/flat_hash_map.h>
#include <malloc.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kInsertBatch = 4096;  // the "slowest 4,096-insert batch"

// SplitMix64 (Steele, Lea, Flood 2014), as KeySet.cs writes it.
constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;

uint64_t Mix(uint64_t i) {
  uint64_t z = (i + 1) * kGamma;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Next(uint64_t& state) {
  uint64_t z = state += kGamma;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct KeySet {
  std::vector<uint64_t> present, shuffled, absent;

  static KeySet Create(int count) {
    KeySet k;
    k.present.resize(count);
    k.absent.resize(count);
    for (int i = 0; i < count; i++) {
      k.present[i] = Mix(static_cast<uint64_t>(i));
      k.absent[i] = Mix(static_cast<uint64_t>(count) + static_cast<uint64_t>(i));
    }
    k.shuffled = k.present;
    uint64_t state = 0x5EED000000000001ULL;
    for (int i = count - 1; i > 0; i--) {
      int j = static_cast<int>((static_cast<unsigned __int128>(Next(state)) * static_cast<uint64_t>(i + 1)) >> 64);
      std::swap(k.shuffled[i], k.shuffled[j]);
    }
    return k;
  }
};

// The map operations, so each timed loop is written once (the C# IUlongMap); both tables share the API used here.
template <typename Table>
struct MapOf {
  Table map;
  void Reserve(size_t n) { map.reserve(n); }
  void Set(uint64_t key, uint64_t value) { map[key] = value; }
  bool TryGetValue(uint64_t key, uint64_t& value) const {
    auto it = map.find(key);
    if (it == map.end()) return false;
    value = it->second;
    return true;
  }
  bool Remove(uint64_t key) { return map.erase(key) != 0; }
  size_t Count() const { return map.size(); }
};

using AbslMap = MapOf<absl::flat_hash_map<uint64_t, uint64_t>>;
using StdMap = MapOf<std::unordered_map<uint64_t, uint64_t>>;
constexpr const char* kAbslName = "abseil `flat_hash_map<uint64_t,uint64_t>` (C++)";
constexpr const char* kStdName = "`std::unordered_map<uint64_t,uint64_t>` (C++)";

struct RunResult {
  double insert_ns, hit_ordered_ns, hit_shuffled_ns, miss_ns, delete_ns, slowest_batch_ms, presized_insert_ns;
  std::optional<double> peak_rss_mib;
  uint64_t checksum;
};

using Clock = std::chrono::steady_clock;

double Ns(Clock::duration d) { return std::chrono::duration<double, std::nano>(d).count(); }

uint64_t Combine(uint64_t checksum, uint64_t value) { return (checksum * 0x100000001B3ULL) ^ value; }

// Sets keys[i] = i; returns ns per insert and stores the slowest batch in ms.
template <typename Map>
double Insert(Map& map, const std::vector<uint64_t>& keys, double& slowest_batch_ms) {
  Clock::duration slowest{};
  const int n = static_cast<int>(keys.size());
  auto start = Clock::now();
  for (int from = 0; from < n; from += kInsertBatch) {
    int to = std::min(n, from + kInsertBatch);
    auto t0 = Clock::now();
    for (int i = from; i < to; i++) map.Set(keys[i], static_cast<uint64_t>(i));
    slowest = std::max(slowest, Clock::now() - t0);
  }
  auto elapsed = Clock::now() - start;
  slowest_batch_ms = Ns(slowest) / 1e6;
  return Ns(elapsed) / n;
}

// TryGetValue of every key; returns ns per lookup and adds (value + 1) per hit to sum.
template <typename Map>
double Lookups(const Map& map, const std::vector<uint64_t>& keys, uint64_t& sum) {
  uint64_t s = 0;
  auto start = Clock::now();
  for (uint64_t key : keys) {
    uint64_t value;
    if (map.TryGetValue(key, value)) s += value + 1;
  }
  auto elapsed = Clock::now() - start;
  sum = s;
  return Ns(elapsed) / keys.size();
}

template <typename Map>
double Deletes(Map& map, const std::vector<uint64_t>& keys, int& removed) {
  int r = 0;
  auto start = Clock::now();
  for (uint64_t key : keys) r += map.Remove(key) ? 1 : 0;
  auto elapsed = Clock::now() - start;
  removed = r;
  return Ns(elapsed) / keys.size();
}

// /proc/self/status field in kB, or -1.
long StatusKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  size_t len = std::strlen(field);
  while (std::getline(status, line)) {
    if (line.compare(0, len, field) == 0 && line.size() > len && line[len] == ':') {
      return std::strtol(line.c_str() + len + 1, nullptr, 10);
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux 4.0+: write "5" to clear_refs); false where that is not allowed.
bool ResetPeakRss() {
  FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

// One run of one map type: the side-by-side program's run, then a presized insert into a map of its own.
template <typename Map>
RunResult Run(const KeySet& keys, bool measure_rss) {
  RunResult r{};
  malloc_trim(0);  // give the previous run's freed memory back, so that this run starts from the same RSS
  long rss_before = -1;
  if (measure_rss && ResetPeakRss()) rss_before = StatusKb("VmRSS");
  {
    Map map;
    uint64_t checksum = 0;
    r.insert_ns = Insert(map, keys.present, r.slowest_batch_ms);
    checksum = Combine(checksum, map.Count());
    uint64_t sum1, sum2, sum3;
    r.hit_ordered_ns = Lookups(map, keys.present, sum1);
    r.hit_shuffled_ns = Lookups(map, keys.shuffled, sum2);
    r.miss_ns = Lookups(map, keys.absent, sum3);
    checksum = Combine(Combine(Combine(checksum, sum1), sum2), sum3);
    int removed;
    r.delete_ns = Deletes(map, keys.shuffled, removed);
    checksum = Combine(Combine(checksum, static_cast<uint64_t>(removed)), map.Count());
    r.checksum = checksum;
    long hwm = rss_before >= 0 ? StatusKb("VmHWM") : -1;
    if (hwm >= 0) r.peak_rss_mib = (hwm - rss_before) / 1024.0;
  }
  {
    Map map;
    map.Reserve(keys.present.size());
    double ignored;
    r.presized_insert_ns = Insert(map, keys.present, ignored);
    if (map.Count() != keys.present.size()) r.checksum ^= 1;  // cannot happen; makes a broken map disagree
  }
  return r;
}

RunResult Best(const std::optional<RunResult>& a, const RunResult& b) {
  if (!a) return b;
  RunResult r;
  r.insert_ns = std::min(a->insert_ns, b.insert_ns);
  r.hit_ordered_ns = std::min(a->hit_ordered_ns, b.hit_ordered_ns);
  r.hit_shuffled_ns = std::min(a->hit_shuffled_ns, b.hit_shuffled_ns);
  r.miss_ns = std::min(a->miss_ns, b.miss_ns);
  r.delete_ns = std::min(a->delete_ns, b.delete_ns);
  r.slowest_batch_ms = std::min(a->slowest_batch_ms, b.slowest_batch_ms);
  r.presized_insert_ns = std::min(a->presized_insert_ns, b.presized_insert_ns);
  if (a->peak_rss_mib && b.peak_rss_mib) r.peak_rss_mib = std::min(*a->peak_rss_mib, *b.peak_rss_mib);
  r.checksum = a->checksum == b.checksum ? a->checksum : a->checksum ^ b.checksum;
  return r;
}

std::string Size(int n) {
  return n % 1000000 == 0 ? std::to_string(n / 1000000) + " M" : std::to_string(n);
}

void Row(const char* name, const RunResult& r) {
  char rss[32] = "n/a";
  if (r.peak_rss_mib) std::snprintf(rss, sizeof rss, "%.0f MiB", *r.peak_rss_mib);
  std::printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f ms | %.0f | %s |\n", name, r.insert_ns, r.hit_ordered_ns,
              r.hit_shuffled_ns, r.miss_ns, r.delete_ns, r.slowest_batch_ms, r.presized_insert_ns, rss);
}

std::string MachineLine() {
  std::string cpu = "?";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      cpu = line.substr(line.find_first_not_of(" \t", colon + 1));
      break;
    }
  }
  utsname u{};
  uname(&u);
  char buf[512];
  std::snprintf(buf, sizeof buf, "%ld cores (%s), %s %s, g++ %s, abseil LTS %d.%d", sysconf(_SC_NPROCESSORS_ONLN),
                cpu.c_str(), u.sysname, u.release, __VERSION__, ABSL_LTS_RELEASE_VERSION, ABSL_LTS_RELEASE_PATCH_LEVEL);
  return buf;
}

const char* kUsage = R"(NativeMap.AbseilReference: abseil flat_hash_map (and std::unordered_map) on the side-by-side program's keys.

Usage: ./absl_reference [options]
  --n N[,N...]   entries (default 4000000,10000000)
  --runs R       runs per map and size; the best is reported (default 2)
  --no-std       leave std::unordered_map out
  --each         also print every run's figures (to see how far runs spread)
  --short        N = 50000, one run: a smoke run (figures mean nothing)
  --help         this text

Exit code: 0 on success, 1 when the maps disagree, 2 for bad arguments.
)";

bool ParseInt(const char* s, int& out) {
  char* end;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000000000) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {4000000, 10000000};
  int runs = 2;
  bool with_std = true;
  bool each = false;
  for (int a = 1; a < argc; a++) {
    std::string arg = argv[a];
    if (arg == "--n" && a + 1 < argc) {
      sizes.clear();
      std::string list = argv[++a];
      size_t pos = 0;
      while (true) {
        size_t comma = list.find(',', pos);
        int n;
        if (!ParseInt(list.substr(pos, comma - pos).c_str(), n)) {
          std::printf("bad --n '%s'\n%s", list.c_str(), kUsage);
          return 2;
        }
        sizes.push_back(n);
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else if (arg == "--runs" && a + 1 < argc) {
      if (!ParseInt(argv[++a], runs)) {
        std::printf("bad --runs '%s'\n%s", argv[a], kUsage);
        return 2;
      }
    } else if (arg == "--no-std") {
      with_std = false;
    } else if (arg == "--each") {
      each = true;
    } else if (arg == "--short") {
      sizes = {50000};
      runs = 1;
    } else if (arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else {
      std::printf("unknown or incomplete argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  for (int n : sizes) {
    if (runs < 1 || n < kInsertBatch) {
      std::printf("--runs must be at least 1 and every N at least %d\n", kInsertBatch);
      return 2;
    }
  }

  std::printf("%s; best of %d run(s), %s\n", MachineLine().c_str(), runs,
              with_std ? "flat_hash_map and unordered_map alternating" : "flat_hash_map only");
  bool rss_ok = ResetPeakRss();
  if (!rss_ok) std::printf("(peak RSS: /proc/self/clear_refs is not writable here, so it is not measured)\n");

  // The C# program's warm-up: three runs of each map on 20,000 keys (here it only warms caches and the allocator).
  KeySet warm = KeySet::Create(20000);
  for (int i = 0; i < 3; i++) {
    Run<AbslMap>(warm, false);
    if (with_std) Run<StdMap>(warm, false);
  }

  bool agree = true;
  for (int n : sizes) {
    KeySet keys = KeySet::Create(n);
    std::optional<RunResult> best_absl, best_std;
    for (int r = 0; r < runs; r++) {
      RunResult absl_run = Run<AbslMap>(keys, rss_ok);
      if (each) Row(("run " + std::to_string(r + 1) + ", N = " + Size(n) + ": flat_hash_map").c_str(), absl_run);
      best_absl = Best(best_absl, absl_run);
      if (with_std) {
        RunResult std_run = Run<StdMap>(keys, rss_ok);
        if (each) Row(("run " + std::to_string(r + 1) + ", N = " + Size(n) + ": unordered_map").c_str(), std_run);
        best_std = Best(best_std, std_run);
        if (best_absl->checksum != best_std->checksum) {
          std::printf("N = %d: the maps disagree (checksums %016" PRIX64 " and %016" PRIX64 ")\n", n,
                      best_absl->checksum, best_std->checksum);
          agree = false;
        }
      }
    }

    std::printf("\n| N = %s, ns/op | insert | hit (insertion order) | hit (shuffled) | miss | delete | "
                "slowest 4,096-insert batch | insert (presized) | peak RSS growth |\n",
                Size(n).c_str());
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    Row(kAbslName, *best_absl);
    if (with_std) Row(kStdName, *best_std);
    std::printf("\nchecksum %016" PRIX64 " (the C# program's maps make the same one on the same N)\n",
                best_absl->checksum);
  }
  std::fflush(stdout);
  return agree ? 0 : 1;
}
