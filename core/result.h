// SPDX-License-Identifier: MIT
// Operating errors as values (bad input, corrupt bytes, unknown ids). The core throws no
// exceptions; a function that can fail for reasons outside the program's control returns
// Result<T>. Programmer errors are assertions instead (core/assert.h).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace raftlink {

enum class ErrorCode {
    Malformed,      // bytes or text that do not decode
    OutOfRange,     // a value outside its documented bounds
    NotFound,       // no such id or key
    Corrupt,        // a checksum mismatch
};

struct Error {
    ErrorCode code = ErrorCode::Malformed;
    std::string message;
};

/// Either a value or an Error. Accessing the wrong alternative is a programmer error.
template <typename T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() {
        ASSERT(ok());
        return std::get<T>(state_);
    }
    const T& value() const {
        ASSERT(ok());
        return std::get<T>(state_);
    }
    const Error& error() const {
        ASSERT(!ok());
        return std::get<Error>(state_);
    }

private:
    std::variant<T, Error> state_;
};

inline Error make_error(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

}  // namespace raftlink
