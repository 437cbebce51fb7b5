#include "git/renames.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>
#include <cstring>

namespace astra::git {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Renames)
};

using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;

bool isRegular(quint32 mode)
{
    return (mode & 0170000) == 0100000;
}

const char *baseName(const char *path)
{
    const char *slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

bool sameBaseName(const char *a, const char *b)
{
    return std::strcmp(baseName(a), baseName(b)) == 0;
}

// git's estimate of how much of a file another holds: the file cut into runs that end at a line
// break or after 64 bytes, each run hashed into one of 107927 values, counted per value
// (diffcore-delta.c). Sorted by value.
using Spans = std::vector<std::pair<quint32, quint32>>;

Spans spansOf(const unsigned char *data, size_t size)
{
    const bool text = std::memchr(data, 0, std::min<size_t>(size, 8000)) == nullptr;
    constexpr quint32 base = 107927;
    Spans spans;
    spans.reserve(size / 32 + 1);
    quint32 one = 0;
    quint32 two = 0;
    quint32 length = 0;
    for (size_t i = 0; i < size; ++i) {
        const quint32 c = data[i];
        if (text && c == '\r' && i + 1 < size && data[i + 1] == '\n') {
            continue; // CR of a CRLF in text counts as nothing
        }
        const quint32 oldOne = one;
        one = (one << 7) ^ (two >> 25);
        two = (two << 7) ^ (oldOne >> 25);
        one += c;
        if (++length < 64 && c != '\n') {
            continue;
        }
        spans.emplace_back((one + two * 0x61) % base, length);
        length = 0;
        one = two = 0;
    }
    if (length > 0) {
        spans.emplace_back((one + two * 0x61) % base, length);
    }
    std::sort(spans.begin(), spans.end());
    // One entry per value, its counts summed.
    size_t out = 0;
    for (size_t i = 0; i < spans.size(); ++i) {
        if (out > 0 && spans[out - 1].first == spans[i].first) {
            spans[out - 1].second += spans[i].second;
        } else {
            spans[out++] = spans[i];
        }
    }
    spans.resize(out);
    spans.shrink_to_fit();
    return spans;
}

// The bytes of `target` that `source` holds too, by span value.
quint64 copiedBytes(const Spans &source, const Spans &target)
{
    quint64 copied = 0;
    auto s = source.begin();
    auto t = target.begin();
    while (s != source.end() && t != target.end()) {
        if (s->first < t->first) {
            ++s;
        } else if (t->first < s->first) {
            ++t;
        } else {
            copied += std::min(s->second, t->second);
            ++s;
            ++t;
        }
    }
    return copied;
}

struct Side
{
    size_t delta = 0;
    const char *path = nullptr;
    git_oid id{};
    quint32 mode = 0;
    qint64 size = -1; // read when first needed
    bool spansRead = false;
    bool readable = true;
    Spans spans;
    bool paired = false;
};

Side sideOf(size_t delta, const git_diff_file &file)
{
    Side side;
    side.delta = delta;
    side.path = file.path;
    side.id = file.id;
    side.mode = file.mode;
    return side;
}

class Finder
{
public:
    Finder(git_repository *repo, git_odb *odb)
        : m_repo(repo)
        , m_odb(odb)
    {}

    qint64 sizeOf(Side &side)
    {
        if (side.size < 0) {
            size_t size = 0;
            git_object_t type = GIT_OBJECT_ANY;
            if (git_odb_read_header(&size, &type, m_odb, &side.id) < 0) {
                side.readable = false;
                side.size = 0;
            } else {
                side.size = qint64(size);
            }
        }
        return side.size;
    }

    const Spans *spansOf(Side &side)
    {
        if (!side.spansRead) {
            side.spansRead = true;
            git_blob *raw = nullptr;
            if (git_blob_lookup(&raw, m_repo, &side.id) < 0) {
                side.readable = false;
            } else {
                BlobPtr blob(raw);
                side.spans = astra::git::spansOf(static_cast<const unsigned char *>(git_blob_rawcontent(blob.get())),
                                                 size_t(git_blob_rawsize(blob.get())));
            }
        }
        return side.readable ? &side.spans : nullptr;
    }

    // git's estimate_similarity(): 0 for sizes too far apart to reach `minimumScore`.
    int similarity(Side &source, Side &target, int minimumScore)
    {
        const quint64 sourceSize = quint64(sizeOf(source));
        const quint64 targetSize = quint64(sizeOf(target));
        if (!source.readable || !target.readable) {
            return 0;
        }
        const quint64 largest = std::max(sourceSize, targetSize);
        const quint64 difference = largest - std::min(sourceSize, targetSize);
        if (largest * quint64(renameMaxScore - minimumScore) < difference * quint64(renameMaxScore)) {
            return 0;
        }
        if (targetSize == 0) {
            return 0;
        }
        const Spans *a = spansOf(source);
        const Spans *b = spansOf(target);
        if (!a || !b) {
            return 0;
        }
        return int(double(copiedBytes(*a, *b)) * renameMaxScore / double(largest));
    }

    // Frees what a side no longer needs once it is paired.
    static void release(Side &side)
    {
        side.spans = Spans();
    }

private:
    git_repository *m_repo;
    git_odb *m_odb;
};

struct Candidate
{
    int source = -1; // index in sources
    int target = -1; // -1: an empty slot
    int score = 0;
    int sameName = 0;
};

// git's score_compare(): negative when `a` comes first (better).
int compareCandidates(const Candidate &a, const Candidate &b)
{
    if (a.target < 0) {
        return b.target >= 0 ? 1 : 0;
    }
    if (b.target < 0) {
        return -1;
    }
    if (a.score == b.score) {
        return b.sameName - a.sameName;
    }
    return b.score - a.score;
}
} // namespace

Result<Renames> findRenames(git_repository *repo, git_diff *diff, const RenameOptions &options)
{
    std::vector<Side> sources;
    std::vector<Side> targets;
    const size_t count = git_diff_num_deltas(diff);
    for (size_t i = 0; i < count; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff, i);
        if (delta->status == GIT_DELTA_DELETED && isRegular(delta->old_file.mode)) {
            sources.push_back(sideOf(i, delta->old_file));
        } else if (delta->status == GIT_DELTA_ADDED && isRegular(delta->new_file.mode)) {
            targets.push_back(sideOf(i, delta->new_file));
        }
    }
    Renames found;
    if (sources.empty() || targets.empty()) {
        return found;
    }
    git_odb *rawOdb = nullptr;
    if (const int code = git_repository_odb(&rawOdb, repo); code < 0) {
        return error(code, Tr::tr("Opening the object database"));
    }
    const OdbPtr odb(rawOdb);
    Finder finder(repo, odb.get());
    const auto pair = [&](int source, int target, int score) {
        sources[size_t(source)].paired = targets[size_t(target)].paired = true;
        found.pairs.append({sources[size_t(source)].delta, targets[size_t(target)].delta, score});
        Finder::release(sources[size_t(source)]);
        Finder::release(targets[size_t(target)]);
    };

    // 1. Identical content: the first unpaired source in path order, one with the target's name
    // before any other.
    QHash<QByteArray, std::vector<int>> byContent;
    for (int s = 0; s < int(sources.size()); ++s) {
        byContent[QByteArray(reinterpret_cast<const char *>(sources[size_t(s)].id.id), GIT_OID_RAWSZ)].push_back(s);
    }
    for (int t = 0; t < int(targets.size()); ++t) {
        const auto same =
            byContent.constFind(QByteArray(reinterpret_cast<const char *>(targets[size_t(t)].id.id), GIT_OID_RAWSZ));
        if (same == byContent.constEnd()) {
            continue;
        }
        int best = -1;
        int considered = 0;
        for (const int s : *same) {
            if (sources[size_t(s)].paired) {
                continue;
            }
            if (best < 0) {
                best = s;
            }
            if (sameBaseName(sources[size_t(s)].path, targets[size_t(t)].path)) {
                best = s;
                break;
            }
            if (++considered == 100) {
                break;
            }
        }
        if (best >= 0) {
            pair(best, t, renameMaxScore);
            ++found.exact;
        }
    }
    if (options.minimumScore >= renameMaxScore) {
        return found;
    }

    // 2. A name that only one source and only one target have: alike at 75 % or more.
    const int sameNameScore = options.minimumScore + (renameMaxScore - options.minimumScore) / 2;
    QHash<QByteArray, int> sourceNames;
    QHash<QByteArray, int> targetNames;
    const auto index = [](QHash<QByteArray, int> &names, const std::vector<Side> &sides) {
        for (int i = 0; i < int(sides.size()); ++i) {
            if (sides[size_t(i)].paired) {
                continue;
            }
            const QByteArray name(baseName(sides[size_t(i)].path));
            names.insert(name, names.contains(name) ? -1 : i);
        }
    };
    index(sourceNames, sources);
    index(targetNames, targets);
    for (int s = 0; s < int(sources.size()); ++s) {
        if (sources[size_t(s)].paired) {
            continue;
        }
        const QByteArray name(baseName(sources[size_t(s)].path));
        const int t = targetNames.value(name, -1);
        if (t < 0 || sourceNames.value(name) != s || targets[size_t(t)].paired) {
            continue;
        }
        const int score = finder.similarity(sources[size_t(s)], targets[size_t(t)], sameNameScore);
        if (score >= sameNameScore) {
            pair(s, t, score);
        }
    }

    // 3. The best pairs of the rest, within the rename limit.
    std::vector<int> leftSources;
    std::vector<int> leftTargets;
    for (int s = 0; s < int(sources.size()); ++s) {
        if (!sources[size_t(s)].paired) {
            leftSources.push_back(s);
        }
    }
    for (int t = 0; t < int(targets.size()); ++t) {
        if (!targets[size_t(t)].paired) {
            leftTargets.push_back(t);
        }
    }
    if (leftSources.empty() || leftTargets.empty()) {
        return found;
    }
    const quint64 limit = quint64(std::max(0, options.renameLimit));
    if (limit > 0 && quint64(leftSources.size()) * quint64(leftTargets.size()) > limit * limit) {
        found.limitReached = true;
        return found;
    }
    constexpr int perTarget = 4;
    std::vector<Candidate> best(leftTargets.size() * perTarget);
    for (size_t d = 0; d < leftTargets.size(); ++d) {
        Candidate *slots = &best[d * perTarget];
        Side &target = targets[size_t(leftTargets[d])];
        for (const int s : leftSources) {
            Side &source = sources[size_t(s)];
            Candidate candidate;
            candidate.source = s;
            candidate.target = leftTargets[d];
            candidate.score = finder.similarity(source, target, options.minimumScore);
            candidate.sameName = sameBaseName(source.path, target.path) ? 1 : 0;
            int worst = 0;
            for (int k = 1; k < perTarget; ++k) {
                if (compareCandidates(slots[k], slots[worst]) > 0) {
                    worst = k;
                }
            }
            if (compareCandidates(slots[worst], candidate) > 0) {
                slots[worst] = candidate;
            }
        }
    }
    std::stable_sort(best.begin(), best.end(), [](const Candidate &a, const Candidate &b) {
        return compareCandidates(a, b) < 0;
    });
    for (const Candidate &candidate : best) {
        if (candidate.target < 0 || candidate.score < options.minimumScore) {
            break;
        }
        if (targets[size_t(candidate.target)].paired || sources[size_t(candidate.source)].paired) {
            continue;
        }
        pair(candidate.source, candidate.target, candidate.score);
    }
    return found;
}

namespace {
// The measure given to git_diff_find_similar(): a file's signature is its slot (the path's
// index in `partner`, from 1: a file in no pair gets one past the end), and a pair is alike only when it is one of the
// pairs found. It scores 101, above the 100 libgit2 gives any two files of the same content, so that a pair found by
// name among identical files is the one libgit2 keeps.
struct Measure
{
    QHash<QByteArray, quintptr> slots; // path -> slot
    std::vector<quintptr> partner; // slot -> the paired slot

    static int fileSignature(void **out, const git_diff_file *file, const char *, void *payload)
    {
        return bufferSignature(out, file, nullptr, 0, payload);
    }
    static int bufferSignature(void **out, const git_diff_file *file, const char *, size_t, void *payload)
    {
        const auto *self = static_cast<const Measure *>(payload);
        *out = reinterpret_cast<void *>(self->slots.value(QByteArray(file->path), self->partner.size()));
        return 0;
    }
    static void freeSignature(void *, void *) {}
    static int similarity(int *score, void *a, void *b, void *payload)
    {
        const auto *self = static_cast<const Measure *>(payload);
        const auto slotA = reinterpret_cast<quintptr>(a);
        const auto slotB = reinterpret_cast<quintptr>(b);
        *score = slotA < self->partner.size() && self->partner[slotA] == slotB ? 101 : 0;
        return 0;
    }
};
} // namespace

Status applyRenames(git_diff *diff, const Renames &renames)
{
    if (renames.pairs.isEmpty()) {
        return {};
    }
    Measure measure;
    // Slot 0 is never used: a null signature would make libgit2 read the file again.
    measure.partner.assign(1, 0);
    for (const RenamePair &pair : renames.pairs) {
        const quintptr source = measure.partner.size();
        measure.partner.push_back(source + 1);
        measure.partner.push_back(source);
        measure.slots.insert(QByteArray(git_diff_get_delta(diff, pair.source)->old_file.path), source);
        measure.slots.insert(QByteArray(git_diff_get_delta(diff, pair.target)->new_file.path), source + 1);
    }
    git_diff_similarity_metric metric{};
    metric.file_signature = &Measure::fileSignature;
    metric.buffer_signature = &Measure::bufferSignature;
    metric.free_signature = &Measure::freeSignature;
    metric.similarity = &Measure::similarity;
    metric.payload = &measure;
    git_diff_find_options findOptions = GIT_DIFF_FIND_OPTIONS_INIT;
    findOptions.flags = GIT_DIFF_FIND_RENAMES;
    findOptions.rename_threshold = 50;
    findOptions.rename_limit = git_diff_num_deltas(diff) + 1;
    findOptions.metric = &metric;
    if (const int code = git_diff_find_similar(diff, &findOptions); code < 0) {
        return error(code, Tr::tr("Finding renames"));
    }
    return {};
}

Status findAndApplyRenames(git_repository *repo, git_diff *diff, const RenameOptions &options)
{
    auto renames = findRenames(repo, diff, options);
    if (!renames) {
        return renames.error();
    }
    return applyRenames(diff, *renames);
}

} // namespace astra::git
