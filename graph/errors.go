package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/casegraph/casegraph"
)

// errorPresenter is the one place where errors reach clients. Domain errors
// keep their code and message; errors gqlgen made itself (parse, validation,
// limits) keep their message; an error of a request whose client hung up is
// CANCELED, logged at INFO; anything else is logged in full with the
// request id and replaced by "internal error".
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		var ce *casegraph.Error
		switch {
		case canceled(ctx, err):
			log.InfoContext(ctx, "request canceled by the client", "err", err, "path", gqlErr.Path.String())
			return &gqlerror.Error{
				Message:    "the request was canceled (请求已取消)",
				Path:       gqlErr.Path,
				Locations:  gqlErr.Locations,
				Extensions: map[string]any{"code": casegraph.ECANCELED},
			}
		case errors.As(err, &ce):
			gqlErr.Message = ce.Message
			gqlErr.Extensions["code"] = ce.Code
			if ce.Code == casegraph.EUNAVAILABLE {
				// The graph database, or the search index while it is rebuilt.
				log.WarnContext(ctx, "unavailable", "err", err, "path", gqlErr.Path.String())
			}
			return gqlErr
		case gqlErr.Err != nil && gqlErr.Err.Error() == "introspection disabled":
			// gqlgen's plain error for __schema and __type when
			// introspection is off: the client's doing, not ours (found by
			// probing as graphql-cop does).
			gqlErr.Message = "introspection is disabled on this server"
			gqlErr.Extensions["code"] = casegraph.EFORBIDDEN
			return gqlErr
		case gqlErr.Err == nil:
			// Made by gqlgen or gqlparser: the message is for the client.
			if _, ok := gqlErr.Extensions["code"]; !ok {
				gqlErr.Extensions["code"] = casegraph.EINVALID
			}
			return gqlErr
		}
		id := casegraph.RequestID(ctx)
		log.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String())
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": casegraph.EINTERNAL, "requestId": id},
		}
	}
}

// canceled reports whether err comes of the client going away: the error
// says so, or the request's context was canceled and the error is not one
// of ours with a code the client should see instead (what the driver
// answers on a canceled context varies: context.Canceled, a connectivity
// error turned UNAVAILABLE, a closed connection).
func canceled(ctx context.Context, err error) bool {
	var ce *casegraph.Error
	if errors.As(err, &ce) && ce.Code != casegraph.EUNAVAILABLE && ce.Code != casegraph.EINTERNAL {
		return false
	}
	return errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled)
}

// recoverFunc turns a resolver's panic into an internal error, logging the
// stack; the client sees only "internal error".
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic in resolver")
	}
}
