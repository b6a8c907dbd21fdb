package casegraph

import "context"

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id, for logs and errors.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Caller is who makes a request: the user and the agency they act for.
// Until authentication lands (the access-control issue fills it from a
// verified token), the server takes it from the X-Casegraph-User and
// X-Casegraph-Agency headers.
type Caller struct {
	Subject string
	Agency  string
}

type callerKey struct{}

// WithCaller returns ctx carrying the caller.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller carried by ctx; the zero Caller if none.
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}
