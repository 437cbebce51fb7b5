// A replay driver for fuzz targets, for compilers without libFuzzer:
//   fuzz_pathpolicy_replay CORPUS_DIR [MUTATIONS] [SEED]
// runs every file of CORPUS_DIR through LLVMFuzzerTestOneInput, then MUTATIONS (default
// 200000) pseudo-random mutations of them. The same arguments always give the same inputs.
// A broken invariant aborts inside the target; a clean run exits 0.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

constexpr size_t maxInputSize = 4096;

// splitmix64: small, fast and the same everywhere.
class Random
{
public:
    explicit Random(uint64_t seed)
        : m_state(seed)
    {}

    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    size_t below(size_t bound)
    {
        return bound == 0 ? 0 : size_t(next() % bound);
    }

private:
    uint64_t m_state;
};

// Fragments that matter to a path policy: separators, dot names, git's aliases, ignorable and
// bidi code points, overlong and invalid UTF-8, glob syntax and the input's field separator.
constexpr std::string_view tokens[] = {
    "/",
    ".",
    "..",
    ".git",
    ".GIT",
    "git~1",
    ".gitmodules",
    "GITMOD~1",
    "gi7eba~1",
    ".gitattributes",
    "gi7d29~1",
    ".astra.toml",
    "ASTRA~1.TOM",
    "::$INDEX_ALLOCATION",
    ":",
    "\\",
    " ",
    "~1",
    "\xE2\x80\x8C", // U+200C
    "\xE2\x80\x8D", // U+200D
    "\xE2\x80\x8B", // U+200B
    "\xE2\x80\xAE", // U+202E
    "\xE2\x81\xA6", // U+2066
    "\xE2\x81\xAA", // U+206A
    "\xEF\xBB\xBF", // U+FEFF
    "\xC2\xAD", // U+00AD
    "\xCC\x81", // U+0301
    "\xC3\xA9", // U+00E9
    "\xC4\xB1", // U+0131
    "\xE2\x84\xAA", // U+212A
    "\xC0\xAE", // overlong "."
    "\xC0\xAF", // overlong "/"
    "\xED\xA0\x80", // surrogate
    "\xF4\x90\x80\x80", // above U+10FFFF
    "\xC2\x85", // U+0085
    "\n",
    "\t",
    "*",
    "**",
    "?",
    "[a-z]",
    "[!x]",
    "[[:alpha:]]",
    "!",
    "#",
    "\\*",
    "\xFF", // field separator
};

void run(const Bytes &input)
{
    LLVMFuzzerTestOneInput(input.data(), input.size());
}

void mutate(Bytes &data, Random &random, const std::vector<Bytes> &corpus)
{
    switch (random.below(9)) {
    case 0: // flip a bit
        if (!data.empty()) {
            data[random.below(data.size())] ^= uint8_t(1u << random.below(8));
        }
        break;
    case 1: // overwrite a byte
        if (!data.empty()) {
            data[random.below(data.size())] = uint8_t(random.next());
        }
        break;
    case 2: // insert a byte
        data.insert(data.begin() + std::ptrdiff_t(random.below(data.size() + 1)), uint8_t(random.next()));
        break;
    case 3: // erase a range
        if (!data.empty()) {
            const size_t at = random.below(data.size());
            const size_t length = 1 + random.below(std::min<size_t>(8, data.size() - at));
            data.erase(data.begin() + std::ptrdiff_t(at), data.begin() + std::ptrdiff_t(at + length));
        }
        break;
    case 4:
    case 5: { // insert a token
        const std::string_view token = tokens[random.below(std::size(tokens))];
        data.insert(data.begin() + std::ptrdiff_t(random.below(data.size() + 1)), token.begin(), token.end());
        break;
    }
    case 6: // duplicate a range
        if (!data.empty()) {
            const size_t at = random.below(data.size());
            const size_t length = 1 + random.below(std::min<size_t>(16, data.size() - at));
            const Bytes copy(data.begin() + std::ptrdiff_t(at), data.begin() + std::ptrdiff_t(at + length));
            data.insert(data.begin() + std::ptrdiff_t(random.below(data.size() + 1)), copy.begin(), copy.end());
        }
        break;
    case 7: { // splice in part of another input
        const Bytes &other = corpus[random.below(corpus.size())];
        if (!other.empty()) {
            const size_t at = random.below(other.size());
            const size_t length = 1 + random.below(other.size() - at);
            data.insert(data.begin() + std::ptrdiff_t(random.below(data.size() + 1)),
                        other.begin() + std::ptrdiff_t(at),
                        other.begin() + std::ptrdiff_t(at + length));
        }
        break;
    }
    default: // swap the case of a letter, or change the flags byte
        if (!data.empty()) {
            uint8_t &byte = data[random.below(data.size())];
            if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z')) {
                byte ^= 0x20;
            } else {
                data[0] = uint8_t(random.next());
            }
        }
        break;
    }
    if (data.size() > maxInputSize) {
        data.resize(maxInputSize);
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS] [SEED]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path directory(argv[1]);
    const unsigned long long mutations = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200000ULL;
    const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 0x5EEDULL;

    std::error_code error;
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(directory, error)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path());
        }
    }
    if (error) {
        std::fprintf(stderr, "cannot read the corpus folder %s: %s\n", argv[1], error.message().c_str());
        return 2;
    }
    std::sort(files.begin(), files.end());
    std::vector<Bytes> corpus;
    for (const auto &file : files) {
        std::ifstream in(file, std::ios::binary);
        Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (bytes.size() > maxInputSize) {
            bytes.resize(maxInputSize);
        }
        corpus.push_back(std::move(bytes));
    }
    if (corpus.empty()) {
        std::fprintf(stderr, "the corpus folder %s holds no files\n", argv[1]);
        return 2;
    }

    const auto start = std::chrono::steady_clock::now();
    for (const Bytes &input : corpus) {
        run(input);
    }
    Random random(seed);
    for (unsigned long long i = 0; i < mutations; ++i) {
        Bytes input = corpus[random.below(corpus.size())];
        const size_t rounds = 1 + random.below(4);
        for (size_t round = 0; round < rounds; ++round) {
            mutate(input, random, corpus);
        }
        run(input);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%zu corpus inputs and %llu mutations passed in %.1f s\n", corpus.size(), mutations, seconds);
    return 0;
}
