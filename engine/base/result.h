#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace astra {

// What kind of failure a user-facing error is. The message always says what happened,
// which rule was broken and what to do; the kind lets callers pick an exit status or a
// retry policy without parsing the message.
enum class ErrorKind
{
    Failed, // the operation failed (I/O, SQL, git)
    Invalid, // the input broke a rule
    NotFound, // the named thing does not exist
    Conflict, // someone else changed it first (optimistic locking, compare-and-swap)
    Refused, // a policy or state machine refused it
    Transient, // may pass when tried again (a busy or unreachable service, a timeout)
};

struct Error
{
    QString message;
    ErrorKind kind = ErrorKind::Failed;
};

inline Error makeError(QString message, ErrorKind kind = ErrorKind::Failed)
{
    return Error{std::move(message), kind};
}

// A value or an Error. Failures a user can cause travel as values; "cannot happen" is
// ASTRA_SOFT_ASSERT (softassert.h).
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {}
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const
    {
        return m_data.index() == 0;
    }
    explicit operator bool() const
    {
        return ok();
    }

    T &value() &
    {
        return std::get<0>(m_data);
    }
    const T &value() const &
    {
        return std::get<0>(m_data);
    }
    T &&value() &&
    {
        return std::get<0>(std::move(m_data));
    }
    T *operator->()
    {
        return &std::get<0>(m_data);
    }
    const T *operator->() const
    {
        return &std::get<0>(m_data);
    }
    T &operator*()
    {
        return std::get<0>(m_data);
    }
    const T &operator*() const
    {
        return std::get<0>(m_data);
    }

    const Error &error() const
    {
        return std::get<1>(m_data);
    }
    QString message() const
    {
        return ok() ? QString() : error().message;
    }

private:
    std::variant<T, Error> m_data;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    {}

    bool ok() const
    {
        return m_ok;
    }
    explicit operator bool() const
    {
        return m_ok;
    }
    const Error &error() const
    {
        return m_error;
    }
    QString message() const
    {
        return m_ok ? QString() : m_error.message;
    }

private:
    Error m_error;
    bool m_ok = true;
};

using Status = Result<void>;

} // namespace astra
