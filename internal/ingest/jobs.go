package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/casegraph/casegraph"
)

// Job states.
const (
	JobReceiving = "RECEIVING" // the body is being spooled to disk
	JobQueued    = "QUEUED"
	JobRunning   = "RUNNING"
	JobDone      = "DONE"
	JobFailed    = "FAILED"
)

// JobStatus is what a client sees of an ingest job.
type JobStatus struct {
	ID       string     `json:"id"`
	State    string     `json:"state"`
	Bytes    int64      `json:"bytes"`
	Created  time.Time  `json:"createdAt"`
	Started  *time.Time `json:"startedAt,omitempty"`
	Finished *time.Time `json:"finishedAt,omitempty"`
	Error    string     `json:"error,omitempty"`
	Report   Report     `json:"report"`
	// requestID is the id of the request that submitted the job: the job's
	// log lines carry it, so that they can be found from the submission.
	requestID string
}

// Jobs runs ingest jobs submitted over HTTP: each body is spooled to a file
// under dir (so memory stays flat whatever its size), then loaded by one
// worker, one job at a time. A finished job's status is kept on disk.
type Jobs struct {
	dir   string
	store Store
	log   *slog.Logger
	opts  Options

	mu    sync.Mutex
	jobs  map[string]*JobStatus
	queue chan string
	wg    sync.WaitGroup
}

// NewJobs returns a job runner keeping its files in dir; opts are the
// options of every job (OnCommit and BatchSize matter here).
func NewJobs(dir string, store Store, opts Options, log *slog.Logger) (*Jobs, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("ingest jobs: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts.Log = log
	return &Jobs{dir: dir, store: store, log: log, opts: opts, jobs: map[string]*JobStatus{}, queue: make(chan string, 1024)}, nil
}

// Start runs the worker until ctx ends; Wait waits for it.
func (j *Jobs) Start(ctx context.Context) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case id := <-j.queue:
				j.run(ctx, id)
			}
		}
	}()
}

// Wait waits for the worker to stop after its context ended.
func (j *Jobs) Wait() { j.wg.Wait() }

// ErrQueueFull means too many jobs are waiting.
var ErrQueueFull = errors.New("too many ingest jobs are waiting; try again later")

// Submit spools body into a new job and queues it. It returns once the body
// is on disk.
func (j *Jobs) Submit(ctx context.Context, body io.Reader) (string, error) {
	var b [8]byte
	rand.Read(b[:])
	id := time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	st := &JobStatus{ID: id, State: JobReceiving, Created: time.Now().UTC(), requestID: casegraph.RequestID(ctx)}
	j.mu.Lock()
	j.jobs[id] = st
	j.mu.Unlock()
	f, err := os.Create(j.path(id, ".ndjson"))
	if err != nil {
		return "", j.fail(id, fmt.Errorf("spooling the body: %w", err))
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	j.mu.Lock()
	st.Bytes = n
	j.mu.Unlock()
	if err != nil {
		os.Remove(j.path(id, ".ndjson"))
		return id, j.fail(id, fmt.Errorf("receiving the body: %w", err))
	}
	select {
	case j.queue <- id:
		j.set(id, func(s *JobStatus) { s.State = JobQueued })
		return id, nil
	default:
		os.Remove(j.path(id, ".ndjson"))
		return id, j.fail(id, ErrQueueFull)
	}
}

func (j *Jobs) path(id, ext string) string { return filepath.Join(j.dir, "job-"+id+ext) }

func (j *Jobs) set(id string, f func(*JobStatus)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if st, ok := j.jobs[id]; ok {
		f(st)
	}
}

func (j *Jobs) fail(id string, err error) error {
	now := time.Now().UTC()
	j.set(id, func(s *JobStatus) { s.State, s.Error, s.Finished = JobFailed, err.Error(), &now })
	j.persist(id)
	return err
}

func (j *Jobs) run(ctx context.Context, id string) {
	now := time.Now().UTC()
	var rid string
	j.set(id, func(s *JobStatus) { s.State, s.Started, rid = JobRunning, &now, s.requestID })
	if rid != "" {
		ctx = casegraph.WithRequestID(ctx, rid)
	}
	f, err := os.Open(j.path(id, ".ndjson"))
	if err != nil {
		j.fail(id, err)
		return
	}
	defer func() {
		f.Close()
		os.Remove(j.path(id, ".ndjson"))
	}()
	opts := j.opts
	opts.OnProgress = func(r Report) { j.set(id, func(s *JobStatus) { s.Report = r }) }
	rep, err := Run(ctx, j.store, NewNDJSONDecoder(f, "job-"+id), opts)
	j.set(id, func(s *JobStatus) { s.Report = rep })
	if err != nil {
		j.log.ErrorContext(ctx, "ingest job failed", "job", id, "err", err)
		j.fail(id, err)
		return
	}
	done := time.Now().UTC()
	j.set(id, func(s *JobStatus) { s.State, s.Finished = JobDone, &done })
	j.persist(id)
	j.log.InfoContext(ctx, "ingest job done", "job", id, "read", rep.Read, "written", rep.Written, "refused", rep.Refused)
}

// persist writes a finished job's status next to the spool, so that it
// outlives the process.
func (j *Jobs) persist(id string) {
	j.mu.Lock()
	st := *j.jobs[id]
	j.mu.Unlock()
	b, _ := json.Marshal(st)
	tmp := j.path(id, ".json.tmp")
	if err := os.WriteFile(tmp, b, 0o640); err == nil {
		os.Rename(tmp, j.path(id, ".json"))
	}
}

// Status returns a job's status, from memory or from disk.
func (j *Jobs) Status(id string) (JobStatus, bool) {
	j.mu.Lock()
	st, ok := j.jobs[id]
	if ok {
		defer j.mu.Unlock()
		return *st, true
	}
	j.mu.Unlock()
	if !validJobID(id) {
		return JobStatus{}, false
	}
	b, err := os.ReadFile(j.path(id, ".json"))
	if err != nil {
		return JobStatus{}, false
	}
	var s JobStatus
	if json.Unmarshal(b, &s) != nil {
		return JobStatus{}, false
	}
	return s, true
}

func validJobID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == 'T' || c == '-') {
			return false
		}
	}
	return true
}
