// Package casegraph holds the domain types and error codes shared by every
// part of casegraph. It depends on nothing beyond the standard library.
package casegraph

import (
	"errors"
	"fmt"
)

// Error codes, as clients see them in a GraphQL error's extensions.code.
const (
	ENOTFOUND          = "NOT_FOUND"
	EINVALID           = "INVALID"
	EINVALIDTRANSITION = "INVALID_TRANSITION"
	ECONFLICT          = "CONFLICT"
	EUNAUTHENTICATED   = "UNAUTHENTICATED"
	EFORBIDDEN         = "FORBIDDEN"
	EUNAVAILABLE       = "UNAVAILABLE"
	EINTERNAL          = "INTERNAL"
	// ECANCELED: the client went away (its request's context was
	// canceled). Nobody reads the answer; it is neither the client's fault
	// nor ours, so logs and metrics keep it apart from INTERNAL.
	ECANCELED = "CANCELED"
)

// Error is an error a client may see: a code from the list above and a
// message written for the person who made the request.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("casegraph error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain and
// "internal error" for any other non-nil error: internals never reach clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
