// Package neo4jdb is the only package that speaks Cypher. It owns the driver,
// the schema migrations and the repositories; every query is a constant next
// to the method that runs it, and every value is a $parameter.
package neo4jdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/casegraph/casegraph"
)

// Config says where Neo4j is and who we are there.
type Config struct {
	URI      string
	User     string
	Password string
	Database string
	// Observer, when set, is told the duration and outcome of every
	// managed transaction (internal/metrics).
	Observer QueryObserver
}

// QueryObserver is told how long each managed transaction took, including
// the driver's retries: mode is "read" or "write", outcome "ok",
// "unavailable", "conflict", "canceled" (the caller went away), "timeout"
// (the caller's deadline passed) or "error".
type QueryObserver interface {
	ObserveQuery(mode, outcome string, d time.Duration)
}

// DB is the process's one driver, and the counter of round trips made
// through it.
type DB struct {
	driver   neo4j.DriverWithContext
	database string
	log      *slog.Logger
	queries  atomic.Int64
}

// Open creates the driver. It does not wait for the server: a casegraph that
// starts before Neo4j answers UNAVAILABLE until the server is there.
func Open(cfg Config, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Database == "" {
		cfg.Database = "neo4j"
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""),
		func(c *config.Config) {
			// Fail fast while the server is away; the API says UNAVAILABLE
			// instead of hanging for the driver's default 30 s.
			c.MaxTransactionRetryTime = 5 * time.Second
			c.ConnectionAcquisitionTimeout = 5 * time.Second
			c.SocketConnectTimeout = 2 * time.Second
			c.MaxConnectionPoolSize = 50
		})
	if err != nil {
		return nil, fmt.Errorf("neo4jdb.Open(%s): %w", cfg.URI, err)
	}
	warmUp(driver, log)
	if cfg.Observer != nil {
		// Every repository opens its sessions on db.driver: timing the
		// driver's managed transactions here covers them all.
		driver = observedDriver{driver, cfg.Observer}
	}
	return &DB{driver: driver, database: cfg.Database, log: log}, nil
}

// warmUp opens the driver's first connection before anyone else can. The
// v5 driver's connector sets its dial function lazily on the first Connect
// (connector.go: "if c.SupplyConnection == nil"), without a lock: two first
// connections at once, such as the readiness probe beside the migrations,
// are a data race that -race reports. One serial attempt sets it, whether or
// not the server answers; a server that is away only costs the dial timeout.
func warmUp(driver neo4j.DriverWithContext, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := driver.VerifyConnectivity(ctx); err != nil {
		log.Debug("neo4j not reachable yet", "err", err)
	}
}

// observedDriver and observedSession time ExecuteRead and ExecuteWrite.
// Everything else passes through the embedded driver and session.
type observedDriver struct {
	neo4j.DriverWithContext
	obs QueryObserver
}

func (d observedDriver) NewSession(ctx context.Context, cfg neo4j.SessionConfig) neo4j.SessionWithContext {
	return observedSession{d.DriverWithContext.NewSession(ctx, cfg), d.obs}
}

type observedSession struct {
	neo4j.SessionWithContext
	obs QueryObserver
}

func (s observedSession) ExecuteRead(ctx context.Context, work neo4j.ManagedTransactionWork, configurers ...func(*neo4j.TransactionConfig)) (any, error) {
	start := time.Now()
	out, err := s.SessionWithContext.ExecuteRead(ctx, work, configurers...)
	s.obs.ObserveQuery("read", queryOutcome(err), time.Since(start))
	return out, err
}

func (s observedSession) ExecuteWrite(ctx context.Context, work neo4j.ManagedTransactionWork, configurers ...func(*neo4j.TransactionConfig)) (any, error) {
	start := time.Now()
	out, err := s.SessionWithContext.ExecuteWrite(ctx, work, configurers...)
	s.obs.ObserveQuery("write", queryOutcome(err), time.Since(start))
	return out, err
}

// queryOutcome names a transaction's result in a few fixed words.
func queryOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case unavailable(err):
		return "unavailable"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	switch casegraph.ErrorCode(translate(err)) {
	case casegraph.EUNAVAILABLE:
		return "unavailable"
	case casegraph.ECONFLICT:
		return "conflict"
	}
	return "error"
}

// Close closes the driver.
func (db *DB) Close(ctx context.Context) error {
	return db.driver.Close(ctx)
}

// QueryCount is the number of queries sent so far; tests use it to prove that
// dataloaders keep round trips constant.
func (db *DB) QueryCount() int64 { return db.queries.Load() }

// Ping checks that the server answers a query.
func (db *DB) Ping(ctx context.Context) error {
	_, err := db.read(ctx, `RETURN 1 AS ok`, nil)
	return err
}

// queryNewestCaseChange reads the newest updatedAt of a case (index
// case_updated_at, read from its end).
const queryNewestCaseChange = `MATCH (c:Case) WHERE c.updatedAt IS NOT NULL
RETURN c.updatedAt AS at ORDER BY c.updatedAt DESC LIMIT 1`

// NewestCaseChange returns the newest updatedAt of any case, zero when the
// graph has none: the search syncer compares it with what the index holds.
func (db *DB) NewestCaseChange(ctx context.Context) (time.Time, error) {
	recs, err := db.read(ctx, queryNewestCaseChange, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("NewestCaseChange: %w", err)
	}
	if len(recs) == 0 {
		return time.Time{}, nil
	}
	return datetime(recs[0].AsMap(), "at"), nil
}

// read runs one read query in a managed transaction and returns its records.
func (db *DB) read(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	return db.run(ctx, neo4j.AccessModeRead, cypher, params)
}

// write runs one write query in a managed transaction and returns its records.
func (db *DB) write(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	return db.run(ctx, neo4j.AccessModeWrite, cypher, params)
}

func (db *DB) run(ctx context.Context, mode neo4j.AccessMode, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	db.queries.Add(1)
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: mode})
	defer sess.Close(ctx)
	work := func(tx neo4j.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		return res.Collect(ctx)
	}
	var out any
	var err error
	if mode == neo4j.AccessModeRead {
		out, err = sess.ExecuteRead(ctx, work)
	} else {
		out, err = sess.ExecuteWrite(ctx, work)
	}
	if err != nil {
		return nil, translate(err)
	}
	return out.([]*neo4j.Record), nil
}

// errUnavailable is what callers see while Neo4j cannot be reached.
var errUnavailable = &casegraph.Error{Code: casegraph.EUNAVAILABLE,
	Message: "the case graph database is unavailable; try again shortly"}

// translate turns driver errors into domain errors at the package boundary.
// It uses errors.As because the driver's Is… helpers use type assertions and
// miss wrapped errors. The original error stays in the chain for the logs.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ce *casegraph.Error
	if errors.As(err, &ce) {
		return err
	}
	if unavailable(err) {
		return fmt.Errorf("%w [%v]", errUnavailable, err)
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Schema.ConstraintValidationFailed") {
		return fmt.Errorf("%w [%v]", &casegraph.Error{Code: casegraph.ECONFLICT, Message: "the record conflicts with an existing one"}, err)
	}
	return err
}

// unavailable reports whether err means the server could not be reached or
// could not serve the database for now.
func unavailable(err error) bool {
	var conn *neo4j.ConnectivityError
	if errors.As(err, &conn) {
		return true
	}
	var limit *neo4j.TransactionExecutionLimit
	if errors.As(err, &limit) {
		for _, e := range limit.Errors {
			if unavailable(e) {
				return true
			}
		}
		return false
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		return strings.HasPrefix(ne.Code, "Neo.TransientError.") ||
			ne.Code == "Neo.ClientError.Database.DatabaseNotFound" ||
			ne.Code == "Neo.ClientError.Security.AuthenticationRateLimit"
	}
	// The pool's own timeout type is internal to the driver; it is the error
	// we get when no connection can be opened at all.
	msg := err.Error()
	return strings.Contains(msg, "Timeout while waiting for connection") ||
		strings.Contains(msg, "connect: connection refused") ||
		errors.Is(err, context.DeadlineExceeded) && strings.Contains(msg, "pool")
}

func neo4jSessionConfig(database string) neo4j.SessionConfig {
	return neo4j.SessionConfig{DatabaseName: database, AccessMode: neo4j.AccessModeWrite}
}
